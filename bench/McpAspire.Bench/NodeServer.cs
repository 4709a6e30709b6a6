using System.Diagnostics;
using McpAspire.Testing;

namespace McpAspire.Bench;

/// <summary>The TypeScript baseline server (<c>ts-echo-server.mjs</c>) on Node 22, ready once it says it listens.</summary>
internal sealed class NodeServer : IDisposable
{
    private readonly Process _process;

    private NodeServer(Process process) => _process = process;

    public int ProcessId => _process.Id;

    public static async Task<NodeServer> StartHttpAsync(int port, CancellationToken cancellationToken)
    {
        await NodeTooling.EnsureInstalledAsync(cancellationToken);
        var start = new ProcessStartInfo(NodeTooling.Node, ["ts-echo-server.mjs", "http", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = RepoLayout.JsDirectory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("listening on", StringComparison.Ordinal) is true)
            {
                listening.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return new NodeServer(process);
    }

    /// <summary>How a client spawns the TypeScript stdio server.</summary>
    public static (string Command, string[] Arguments) Stdio() =>
        (NodeTooling.Node, [Path.Combine(RepoLayout.JsDirectory, "ts-echo-server.mjs"), "stdio"]);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }
}
