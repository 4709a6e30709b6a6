using System.Globalization;
using McpAspire.Testing;
using ModelContextProtocol.Client;

namespace McpAspire.Bench;

/// <summary>
/// What telemetry costs the stateless worker: the same worker with the OpenTelemetry SDK disabled, and exporting every
/// trace, metric and log over OTLP to a sink in this process, side by side.
/// </summary>
internal static class TelemetryCost
{
    public static async Task RunAsync(int calls, int warmUp, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"## Telemetry cost (stateless worker, {calls} sequential echo calls, no Redis)");
        Console.WriteLine();
        using var sink = new OtlpSink();

        Console.WriteLine("| worker | calls/s | p50 ms | p90 ms | p99 ms | p50 vs telemetry off |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        var rows = new (string Name, Dictionary<string, string> Environment)[]
        {
            ("telemetry off (OTEL_SDK_DISABLED=true)", new() { ["OTEL_SDK_DISABLED"] = "true" }),
            ("traces, metrics and logs exported over OTLP", sink.Environment()),
        };
        double? baseline = null;
        foreach (var (name, environment) in rows)
        {
            environment["McpAspire__RateLimiting__PermitLimit"] = "1000000";
            environment["Logging__LogLevel__Default"] = "Warning";
            await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, cancellationToken);
            await using var client = await McpClient.CreateAsync(
                new HttpClientTransport(new() { Endpoint = new Uri(worker.BaseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
                cancellationToken: cancellationToken);
            var stats = await Measure.EchoAsync(client, warmUp, calls, cancellationToken);
            baseline ??= stats.P50;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {stats.PerSecond:F0} | {stats.P50:F3} | {stats.P90:F3} | {stats.P99:F3} | {stats.P50 / baseline:F2}× |"));
        }

        Console.WriteLine();
        Console.WriteLine($"OTLP export requests the sink received: {sink.Summary()}");
    }
}
