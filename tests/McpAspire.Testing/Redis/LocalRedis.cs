namespace McpAspire.Testing;

/// <summary>Which Redis servers this machine can run for the tests.</summary>
public static class LocalRedis
{
    /// <summary>Whether Debian's redis-server is on the PATH.</summary>
    public static bool RedisServerInstalled { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Any(directory => File.Exists(Path.Combine(directory, "redis-server")));

    /// <summary>The skip reason for a test that needs redis-server for <paramref name="what"/>.</summary>
    public static string RedisServerMissing(string what) =>
        $"Needs Debian's redis-server for {what}, and it is not on the PATH: apt-get install redis-server (.ci/run installs it).";

    /// <summary>
    /// A standalone server to stop, pause and kill: redis-server where it is installed, else the embedded Garnet server
    /// as its own process.
    /// </summary>
    public static RedisProcessServer Standalone() => RedisServerInstalled ? new DebianRedisServer() : new GarnetProcessServer();
}
