using System.Diagnostics;
using System.Globalization;
using McpAspire.Testing;
using ModelContextProtocol.Client;

namespace McpAspire.Bench;

/// <summary>
/// The stdio sidecar against the TypeScript SDK's stdio server with the same tool: echo round trips through one client,
/// and cold start to the first answered initialize: framework-dependent, ReadyToRun and Native AOT publishes, the plain SDK and Node.
/// </summary>
internal static class Stdio
{
    public static async Task RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"## stdio: the sidecar and the TypeScript SDK's stdio server, {settings.Calls} sequential echo calls after {settings.WarmUp} warm-up");
        Console.WriteLine();
        await NodeTooling.EnsureInstalledAsync(cancellationToken);
        var (node, nodeArguments) = NodeServer.Stdio();
        var servers = new List<(string Name, string Command, string[] Arguments)>
        {
            ("McpAspire sidecar (framework-dependent)", "dotnet", [RepoLayout.ProjectDll("McpAspire.StdioSidecar")]),
        };

        // The published sidecars (not in smoke mode: each publish takes a minute or two).
        if (!settings.Smoke && await PublishAsync("ReadyToRun", ct => NativePublish.ReadyToRunAsync(PublishedProject.Sidecar, ct), cancellationToken) is { } readyToRun)
        {
            servers.Add(("McpAspire sidecar (ReadyToRun publish)", readyToRun, []));
        }

        if (!settings.Smoke && NativePublish.CanPublishNativeAot && await PublishAsync("Native AOT", ct => NativePublish.NativeAotAsync(PublishedProject.Sidecar, ct), cancellationToken) is { } nativeAot)
        {
            servers.Add(("McpAspire sidecar (Native AOT publish)", nativeAot, []));
        }

        var sidecars = servers.Count;
        servers.Add(("SDK plain stdio server, same tool (framework-dependent)", "dotnet", [RepoLayout.ProjectDll("McpAspire.Bench.Baselines", folder: "bench"), "--mode", "stdio"]));
        servers.Add(("TypeScript SDK stdio server (Node 22)", node, nodeArguments));

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
        Console.WriteLine("echo p50 / TypeScript: " + string.Join(", ", servers.Take(sidecars).Select((server, i) =>
            string.Create(CultureInfo.InvariantCulture, $"{server.Name} {p50[i] / p50[^1]:F2}×"))) + " (target ≤ 1.00×)" +
            string.Create(CultureInfo.InvariantCulture, $"; framework-dependent sidecar / plain SDK: {p50[0] / p50[^2]:F2}×"));

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

    /// <summary>The sidecar published <paramref name="how"/>; null (and said) when the publish failed.</summary>
    private static async Task<string?> PublishAsync(string how, Func<CancellationToken, Task<string>> publish, CancellationToken cancellationToken)
    {
        try
        {
            return await publish(cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            Console.WriteLine($"{how} publish failed; left out: {ex.Message}");
            return null;
        }
    }
}
