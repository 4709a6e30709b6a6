using System.Diagnostics;
using System.Globalization;

namespace McpAspire.Testing;

/// <summary>Debian's redis-server as a child process, with an append-only file fsynced on every write, so neither a restart nor a SIGKILL loses an acknowledged write.</summary>
public sealed class DebianRedisServer : RedisProcessServer
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("mcpaspire-redis-");

    public override string Name => "redis-server";

    public override string? Missing => LocalRedis.RedisServerInstalled ? null : LocalRedis.RedisServerMissing("these cases on Redis itself");

    public override bool KeepsWritesAcrossRestarts => true;

    protected override ProcessStartInfo CreateStartInfo() => new("redis-server",
    [
        "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
        "--dir", _data.FullName, "--appendonly", "yes", "--appendfsync", "always", "--save", "",
    ]);

    protected override ValueTask CleanUpAsync()
    {
        _data.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
