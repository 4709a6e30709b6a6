using System.Diagnostics;

namespace McpAspire.State.Tests;

/// <summary>Debian's redis-server as a child process, with an append-only file so a restart keeps acknowledged writes.</summary>
public sealed class DebianRedisServer : RedisServer
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("mcpaspire-redis-");
    private Process? _process;

    public override string Name => "redis-server";

    public override ValueTask StartAsync()
    {
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", _data.FullName, "--appendonly", "yes", "--appendfsync", "always", "--save", "" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start; install it (apt-get install redis-server).");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        return ValueTask.CompletedTask;
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open and nothing answers, like a stalled node.</summary>
    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    /// <summary>Kills the server outright (SIGKILL), as a crash or an out-of-memory kill would; with fsync on every write, nothing acknowledged is lost.</summary>
    public async Task KillAsync()
    {
        Signal("KILL");
        await _process!.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        _process.Dispose();
        _process = null;
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public override async ValueTask StopAsync()
    {
        if (_process is { HasExited: false })
        {
            // A paused server cannot act on SIGTERM.
            Signal("CONT");
            Signal("TERM");
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }

        _process?.Dispose();
        _process = null;
    }

    protected override ValueTask CleanUpAsync()
    {
        _data.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
