using System.Globalization;
using McpAspire.Testing;
using ModelContextProtocol.Client;

namespace McpAspire.Bench;

/// <summary>
/// The SSE front-end under load through open sessions (on redis-server, as deployed): echo calls over legacy SSE and
/// stateful Streamable HTTP, one session per concurrent client, each beside the same load on the SDK's plain stateful
/// MapMcp (legacy SSE on) measured just before it, and the front-end as shipped beside them; and legacy SSE sessions opened
/// (and closed) per second.
/// </summary>
internal static class Sessions
{
    public static async Task RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"## SSE front-end through open sessions: {settings.Concurrency} sessions, one client each, up to {settings.LoadCount} calls or {settings.LoadDuration.TotalSeconds:F0} s");
        Console.WriteLine();
        var redisPort = LoopbackPort.Free();
        using var redis = RedisCost.StartServer(redisPort);
        if (redis is null)
        {
            // The front-end scales out, which needs Redis.
            Console.WriteLine("redis-server is not installed; skipped.");
            return;
        }

        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = $"127.0.0.1:{redisPort}",
            ["Logging__LogLevel__Default"] = "Warning",
            // A million calls in 10 s: the limiter runs as deployed (leasing from Redis) and never refuses (warm-ups run
            // until the rate is steady, and the two transports together made more than a million calls in a minute).
            ["McpAspire__RateLimiting__PermitLimit"] = "1000000",
            ["McpAspire__RateLimiting__Window"] = "00:00:10",
        };
        await using var frontEnd = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), environment, cancellationToken);
        // The front-end as the AppHost deploys it: Production, its own appsettings.json (logging as shipped), an API key,
        // OTLP to a local sink, one trace in ten; the same never-reached rate limit.
        using var sink = new OtlpSink();
        await using var shipped = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), AsDeployed.Shipped(environment, sink), cancellationToken);
        // The baseline: the SDK's plain stateful MapMcp with legacy SSE on, the same echo tool, nothing else.
        await using var sdk = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.Bench.Baselines", folder: "bench"),
            new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" }, cancellationToken, "--mode", "sdk-sessions");
        Console.WriteLine("| transport | calls/s | p50 ms | p90 ms | p99 ms | failed | calls/s vs the plain SDK |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, path, mode) in new[] { ("legacy SSE", "/sse", HttpTransportMode.Sse), ("stateful Streamable HTTP", "/mcp", HttpTransportMode.StreamableHttp) })
        {
            var baseline = await EchoLoadAsync(new Uri(sdk.BaseUri, path), mode, settings, cancellationToken);
            var ours = await EchoLoadAsync(new Uri(frontEnd.BaseUri, path), mode, settings, cancellationToken);
            var asShipped = await EchoLoadAsync(new Uri(shipped.BaseUri, path), mode, settings, cancellationToken, AsDeployed.ApiKey);
            Print($"{name}, the SDK's plain stateful MapMcp (the baseline)", baseline, baseline);
            Print($"{name}, the front-end", ours, baseline);
            Print($"{name}, the front-end as shipped (Production, its appsettings.json, API key, OTLP, 1 trace in 10)", asShipped, baseline);
        }

        var opened = await Load.RunAsync(async (_, ct) =>
            {
                await using var client = await McpClient.CreateAsync(
                    new HttpClientTransport(new() { Endpoint = new Uri(frontEnd.BaseUri, "/sse"), TransportMode = HttpTransportMode.Sse }), cancellationToken: ct);
            },
            settings.Concurrency, settings.LoadWarmUp, settings.Sessions, settings.LoadDuration, cancellationToken);
        Print("legacy SSE sessions opened, initialized and closed (front-end)", opened, null);
        Console.WriteLine();
        Console.WriteLine("Memory per open session: see the replica section below (resident memory before and after opening many).");
    }

    /// <summary>Echo calls through <paramref name="endpoint"/>, one session per concurrent client.</summary>
    private static async Task<LoadStats> EchoLoadAsync(Uri endpoint, HttpTransportMode mode, BenchSettings settings, CancellationToken cancellationToken, string? apiKey = null)
    {
        var arguments = new Dictionary<string, object?> { ["message"] = "ping" };
        var headers = apiKey is null ? null : new Dictionary<string, string> { ["X-API-Key"] = apiKey };
        var clients = await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(_ =>
            McpClient.CreateAsync(new HttpClientTransport(new() { Endpoint = endpoint, TransportMode = mode, AdditionalHeaders = headers }), cancellationToken: cancellationToken)));
        try
        {
            return await Load.RunAsync((worker, ct) => clients[worker].CallToolAsync("echo", arguments, cancellationToken: ct).AsTask(),
                settings.Concurrency, settings.LoadWarmUp, settings.LoadCount, settings.LoadDuration, cancellationToken);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static void Print(string name, LoadStats stats, LoadStats? baseline) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {stats.PerSecond:F0} | {stats.P50:F3} | {stats.P90:F3} | {stats.P99:F3} | {stats.Failed}{(stats.FirstError is { } error ? $" ({error})" : "")} | {(baseline is null ? "" : $"{stats.PerSecond / baseline.PerSecond:F2}×")} |"));
}
