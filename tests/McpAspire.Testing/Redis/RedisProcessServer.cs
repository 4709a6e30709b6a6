using System.Diagnostics;
using System.Globalization;

namespace McpAspire.Testing;

/// <summary>
/// A standalone server running as a child process, which a test can freeze (SIGSTOP), kill (SIGKILL), stop (SIGTERM)
/// and start again on the same port.
/// </summary>
public abstract class RedisProcessServer : RedisTestServer
{
    private Process? _process;

    /// <summary>Whether a write acknowledged before a kill or a stop is there once the server has started again.</summary>
    public abstract bool KeepsWritesAcrossRestarts { get; }

    /// <summary>The command that runs the server on <see cref="RedisTestServer.Port"/>.</summary>
    protected abstract ProcessStartInfo CreateStartInfo();

    public override ValueTask StartAsync()
    {
        var start = CreateStartInfo();
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        return ValueTask.CompletedTask;
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open and nothing answers, like a stalled node.</summary>
    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    /// <summary>Kills the server outright (SIGKILL), as a crash or an out-of-memory kill would.</summary>
    public async Task KillAsync()
    {
        Signal("KILL");
        await _process!.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        _process.Dispose();
        _process = null;
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

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process!.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
