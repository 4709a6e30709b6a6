using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using McpAspire.Transport.Tests.Infrastructure;

namespace McpAspire.Bench;

/// <summary>
/// Stateless Streamable HTTP <c>tools/call echo</c> under a closed-loop load, each server alone on the machine in turn:
/// (a) a bare Kestrel JSON-RPC endpoint, the ceiling; (b) the SDK's plain stateless MapMcp, what a user gets without
/// McpAspire; (c) the HTTP worker with everything on (API-key authentication, Redis-shared rate limit and session
/// records, access log to OTLP and a file, traces, metrics and logs over OTLP); (d) the TypeScript SDK's stateless
/// server. Every .NET server logs at Warning (the access log excepted); TLS is left out of every row alike.
/// </summary>
internal static class Throughput
{
    private const string Key = "bench-api-key-0123456789abcdef";
    private static readonly byte[] EchoRequest = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"ping"}}}"""u8.ToArray();

    public static async Task RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"## Stateless HTTP throughput: tools/call echo, {settings.Concurrency} concurrent clients, up to {settings.LoadCount} calls or {settings.LoadDuration.TotalSeconds:F0} s after {settings.LoadWarmUp} warm-up");
        Console.WriteLine();
        var redisPort = LoopbackPort.Free();
        using var redis = RedisCost.StartServer(redisPort);
        using var sink = new OtlpSink();
        var accessLog = Directory.CreateTempSubdirectory("mcpaspire-bench-");
        var quiet = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" };
        var everythingOn = new Dictionary<string, string>(quiet)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["McpAspire__Security__RequireHttps"] = "false",
            ["McpAspire__Security__ApiKeys__bench__Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key))),
            ["McpAspire__Security__ApiKeys__bench__Scopes__0"] = "*",
            ["McpAspire__Security__AccessLogPath"] = Path.Combine(accessLog.FullName, "access.log"),
            ["Logging__LogLevel__McpAspire.AccessLog"] = "Information",
            // The access log goes to OTLP and the file, as an auditor keeps it, not to the console.
            ["Logging__Console__LogLevel__McpAspire.AccessLog"] = "None",
            ["McpAspire__RateLimiting__PermitLimit"] = "1000000",
        };
        if (redis is not null)
        {
            everythingOn["ConnectionStrings__cache"] = $"127.0.0.1:{redisPort}";
        }

        foreach (var (name, value) in sink.Environment())
        {
            everythingOn[name] = value;
        }

        var baselines = RepoLayout.ProjectDll("McpAspire.Bench.Baselines", folder: "bench");
        var rows = new (string Name, Func<Task<(Uri Endpoint, IAsyncDisposable Server)>> Start, string? ApiKey)[]
        {
            ("(a) bare Kestrel JSON-RPC endpoint", async () => Host(await HostProcess.StartAsync(baselines, quiet, cancellationToken, "--mode", "kestrel")), null),
            ("(b) SDK plain stateless MapMcp", async () => Host(await HostProcess.StartAsync(baselines, quiet, cancellationToken, "--mode", "sdk")), null),
            ("(c) McpAspire worker, everything on", async () => Host(await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), everythingOn, cancellationToken)), Key),
            ("(d) TypeScript SDK stateless (Node 22)", async () =>
            {
                var port = LoopbackPort.Free();
                var node = await NodeServer.StartHttpAsync(port, cancellationToken);
                return (new Uri($"http://127.0.0.1:{port}/mcp"), new Disposer(node.Dispose));
            }, null),
        };

        var useWrk = Wrk.IsInstalled && !settings.Smoke;
        Console.WriteLine($"Driver: {(useWrk ? $"wrk -t2 -c{settings.Concurrency}, {settings.LoadDuration.TotalSeconds:F0} s after a 3 s warm-up" : "the benchmark's own .NET client (install Debian's wrk for a lighter one)")}.");
        Console.WriteLine();
        Console.WriteLine("| server | calls/s | p50 ms | p90 ms | p99 ms | failed |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        var results = new Dictionary<char, LoadStats>();
        foreach (var (name, start, apiKey) in rows)
        {
            var stats = await MeasureAsync(start, apiKey, useWrk, settings, cancellationToken);
            results[name[1]] = stats;
            Print(name, stats);
        }

        var c = results['c'].PerSecond;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calls/s ratios: c/a {c / results['a'].PerSecond:F2}×, c/b {c / results['b'].PerSecond:F2}× (target ≥ 0.9×), c/d {c / results['d'].PerSecond:F1}× (target ≥ 10×)"));
        Console.WriteLine($"OTLP export requests the sink received: {sink.Summary()}; Redis: {(redis is null ? "not installed, the worker ran without it" : "redis-server")}");
        accessLog.Delete(recursive: true);

        // The worker's composition built up one layer at a time (bench/McpAspire.Bench.Baselines --mode layers:N), all in
        // Production with an API key configured and sent, no Redis, no OTLP exporter: what each layer costs.
        Console.WriteLine();
        Console.WriteLine("Where the worker's time goes (each layer added to the one above; same driver):");
        Console.WriteLine();
        Console.WriteLine("| composition | calls/s | p50 ms | p99 ms | vs the layer above |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        var layered = new Dictionary<string, string>(quiet)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["McpAspire__Security__RequireHttps"] = "false",
            ["McpAspire__Security__ApiKeys__bench__Hash"] = everythingOn["McpAspire__Security__ApiKeys__bench__Hash"],
            ["McpAspire__Security__ApiKeys__bench__Scopes__0"] = "*",
            ["McpAspire__RateLimiting__PermitLimit"] = "1000000",
        };
        var layers = new (string Name, string Mode)[]
        {
            ("SDK plain stateless MapMcp, its own echo tool", "sdk"),
            ("1. SDK with McpAspire's tool set (argument validation, tool filters)", "layers:1"),
            ("2. + McpAspire's HTTP edge and state (in memory)", "layers:2"),
            ("3. + service defaults (OpenTelemetry instrumentation, no exporter)", "layers:3"),
            ("4. + the security edge (API key, access log at Warning)", "layers:4"),
        };
        double? above = null;
        foreach (var (name, mode) in layers)
        {
            var stats = await MeasureAsync(async () => Host(await HostProcess.StartAsync(baselines, layered, cancellationToken, "--mode", mode)), Key, useWrk, settings, cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {stats.PerSecond:F0} | {stats.P50:F3} | {stats.P99:F3} | {(above is { } previous ? $"{stats.PerSecond / previous:F2}×" : "")} |"));
            above = stats.PerSecond;
        }
    }

    private static async Task<LoadStats> MeasureAsync(Func<Task<(Uri Endpoint, IAsyncDisposable Server)>> start, string? apiKey, bool useWrk, BenchSettings settings, CancellationToken cancellationToken)
    {
        var (endpoint, server) = await start();
        await using (server)
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, UseProxy = false });
            // The answer is checked once whichever driver runs: every server must really echo.
            await EchoAsync(http, endpoint, apiKey, cancellationToken);
            if (!useWrk)
            {
                return await Load.RunAsync((_, ct) => EchoAsync(http, endpoint, apiKey, ct), settings.Concurrency, settings.LoadWarmUp, settings.LoadCount, settings.LoadDuration, cancellationToken);
            }

            var headers = new Dictionary<string, string>
            {
                ["Content-Type"] = "application/json",
                ["Accept"] = "application/json, text/event-stream",
                ["MCP-Protocol-Version"] = "2025-11-25",
            };
            if (apiKey is not null)
            {
                headers["X-API-Key"] = apiKey;
            }

            return await Wrk.RunAsync(endpoint, Encoding.UTF8.GetString(EchoRequest), headers, settings.Concurrency, TimeSpan.FromSeconds(3), settings.LoadDuration, cancellationToken);
        }
    }

    private static void Print(string name, LoadStats stats) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {stats.PerSecond:F0} | {stats.P50:F3} | {stats.P90:F3} | {stats.P99:F3} | {stats.Failed}{(stats.FirstError is { } error ? $" ({error})" : "")} |"));

    private static async Task EchoAsync(HttpClient http, Uri endpoint, string? apiKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(EchoRequest) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2025-11-25");
        if (apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-API-Key", apiKey);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode || !body.Contains("\"text\":\"ping\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {body[..Math.Min(200, body.Length)]}");
        }
    }

    private static (Uri, IAsyncDisposable) Host(HostProcess host) => (new Uri(host.BaseUri, "/mcp"), host);

    private sealed class Disposer(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}
