using System.Diagnostics;
using System.Globalization;
using McpAspire.Transport.Tests.Infrastructure;
using ModelContextProtocol.Client;

namespace McpAspire.Bench;

/// <summary>
/// The stdio sidecar against the TypeScript SDK's stdio server with the same tool: echo round trips through one client,
/// and cold start to the first answered initialize (framework-dependent, ReadyToRun publish, Node).
/// </summary>
internal static class Stdio
{
    public static async Task RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"## stdio: the sidecar and the TypeScript SDK's stdio server, {settings.Calls} sequential echo calls after {settings.WarmUp} warm-up");
        Console.WriteLine();
        await NodeTooling.EnsureInstalledAsync(cancellationToken);
        var sidecar = RepoLayout.ProjectDll("McpAspire.StdioSidecar");
        var (node, nodeArguments) = NodeServer.Stdio();
        var servers = new List<(string Name, string Command, string[] Arguments)>
        {
            ("McpAspire sidecar (framework-dependent)", "dotnet", [sidecar]),
            ("SDK plain stdio server, same tool (framework-dependent)", "dotnet", [RepoLayout.ProjectDll("McpAspire.Bench.Baselines", folder: "bench"), "--mode", "stdio"]),
            ("TypeScript SDK stdio server (Node 22)", node, nodeArguments),
        };

        Console.WriteLine("| server | calls/s | p50 ms | p90 ms | p99 ms |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        var p50 = new List<double>();
        foreach (var (name, command, arguments) in servers)
        {
            await using var client = await McpClient.CreateAsync(Transport(name, command, arguments), cancellationToken: cancellationToken);
            var stats = await Measure.EchoAsync(client, settings.WarmUp, settings.Calls, cancellationToken);
            p50.Add(stats.P50);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {stats.PerSecond:F0} | {stats.P50:F3} | {stats.P90:F3} | {stats.P99:F3} |"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"echo p50, sidecar / TypeScript: {p50[0] / p50[^1]:F2}× (target ≤ 1.00×); sidecar / plain SDK: {p50[0] / p50[1]:F2}×"));

        if (!settings.Smoke && await PublishReadyToRunAsync(cancellationToken) is { } readyToRun)
        {
            servers.Insert(2, ("McpAspire sidecar (ReadyToRun publish)", readyToRun, []));
        }

        Console.WriteLine();
        Console.WriteLine($"Cold start to the first answered initialize ({settings.StartupRuns} runs each, median):");
        Console.WriteLine();
        Console.WriteLine("| server | median ms | min ms | max ms |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        var medians = new Dictionary<string, double>();
        foreach (var (name, command, arguments) in servers)
        {
            var runs = new List<double>();
            for (var run = 0; run < settings.StartupRuns; run++)
            {
                var clock = Stopwatch.StartNew();
                await using var client = await McpClient.CreateAsync(Transport(name, command, arguments), cancellationToken: cancellationToken);
                runs.Add(clock.Elapsed.TotalMilliseconds);
            }

            runs.Sort();
            medians[name] = runs[runs.Count / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {runs[runs.Count / 2]:F0} | {runs[0]:F0} | {runs[^1]:F0} |"));
        }

        var typeScript = medians[servers[^1].Name];
        Console.WriteLine();
        Console.WriteLine(string.Join(", ", medians.Where(m => m.Key != servers[^1].Name)
            .Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} / TypeScript: {m.Value / typeScript:F2}×"))) + " (target ≤ 0.5×)");
    }

    private static StdioClientTransport Transport(string name, string command, string[] arguments) =>
        new(new StdioClientTransportOptions
        {
            Name = name,
            Command = command,
            Arguments = arguments,
            EnvironmentVariables = new Dictionary<string, string?> { ["McpAspire__RateLimiting__PermitLimit"] = "1000000" },
        });

    /// <summary>Publishes the sidecar ReadyToRun for this machine into a temporary folder; its executable, or null if the publish failed.</summary>
    private static async Task<string?> PublishReadyToRunAsync(CancellationToken cancellationToken)
    {
        var output = Directory.CreateTempSubdirectory("mcpaspire-r2r-").FullName;
        var project = Path.Combine(RepoLayout.Root, "src", "McpAspire.StdioSidecar", "McpAspire.StdioSidecar.csproj");
        using var publish = Process.Start(new ProcessStartInfo("dotnet",
            ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", output, "--nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = publish.StandardOutput.ReadToEndAsync(cancellationToken);
        await publish.WaitForExitAsync(cancellationToken);
        if (publish.ExitCode != 0)
        {
            Console.WriteLine($"ReadyToRun publish failed ({publish.ExitCode}); left out: {await log}");
            return null;
        }

        return Path.Combine(output, "McpAspire.StdioSidecar");
    }
}
