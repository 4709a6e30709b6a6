using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using McpAspire.Testing;
using StackExchange.Redis;

namespace McpAspire.Bench;

/// <summary>
/// The SSE front-end as two replicas on Debian's redis-server: what a call costs when it lands on the replica that does
/// not hold the session (legacy SSE: forwarded through Redis; Streamable HTTP: the session adopted once), Redis commands
/// per stateful call, and memory per open SSE session.
/// </summary>
internal static class Replicas
{
    private const string LegacyInitialize =
        """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}""";

    private const string Initialize =
        """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}""";

    public static async Task RunAsync(int calls, int warmUp, int sessions, CancellationToken cancellationToken)
    {
        using var redis = RedisCost.StartSection($"The front-end on two replicas (redis-server, {calls} sequential echo calls per row)", out var port);
        if (redis is null)
        {
            return;
        }

        try
        {
            await using var admin = await RedisCost.ConnectAsync($"127.0.0.1:{port},allowAdmin=true");
            var server = admin.GetServer(admin.GetEndPoints()[0]);
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__cache"] = $"127.0.0.1:{port}",
                ["McpAspire__RateLimiting__Enabled"] = "false",
            };
            await using var a = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), new Dictionary<string, string>(environment) { ["McpAspire__InstanceId"] = "a" }, cancellationToken);
            await using var b = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), new Dictionary<string, string>(environment) { ["McpAspire__InstanceId"] = "b" }, cancellationToken);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

            Console.WriteLine("| call | p50 ms | p90 ms | p99 ms | p50 vs same replica |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            using (var stream = await OpenLegacyAsync(http, a, cancellationToken))
            {
                var endpointA = new Uri(a.BaseUri, stream.Endpoint);
                var endpointB = new Uri(b.BaseUri, stream.Endpoint);
                await PostAsync(http, endpointA, LegacyInitialize, cancellationToken);
                await stream.Reader.ReadMessageAsync(cancellationToken);
                await LegacyEchoAsync(http, stream.Reader, endpointB, warmUp, cancellationToken);
                var same = await LegacyEchoAsync(http, stream.Reader, endpointA, calls, cancellationToken);
                var cross = await LegacyEchoAsync(http, stream.Reader, endpointB, calls, cancellationToken);
                Row("legacy SSE, POST to the stream's replica", same, same);
                Row("legacy SSE, POST to the other replica (forwarded over Redis pub/sub)", cross, same);
            }

            var mcpA = new Uri(a.BaseUri, "/mcp");
            var mcpB = new Uri(b.BaseUri, "/mcp");
            var sessionId = await OpenSessionAsync(http, mcpA, cancellationToken);
            await StreamableEchoAsync(http, sessionId, mcpB, warmUp, cancellationToken);
            await server.ExecuteAsync("CONFIG", "RESETSTAT");
            var local = await StreamableEchoAsync(http, sessionId, mcpA, calls, cancellationToken);
            var perCall = string.Join(", ", (await RedisCost.CommandStatsAsync(server))
                .Where(c => !c.Key.StartsWith("config", StringComparison.Ordinal) && c.Key != "info")
                .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value / (double)calls:F2}")));
            var other = await StreamableEchoAsync(http, sessionId, mcpB, calls, cancellationToken);
            Row("Streamable HTTP, on the replica that began the session", local, local);
            Row("Streamable HTTP, on the other replica (after adopting it)", other, local);

            // Adoption: the first request of a session on a replica that has never seen it, against its second request there.
            var adoptions = Math.Min(calls, 300);
            var firsts = new double[adoptions];
            var seconds = new double[adoptions];
            for (var i = 0; i < adoptions; i++)
            {
                var id = await OpenSessionAsync(http, mcpA, cancellationToken);
                firsts[i] = await TimeAsync(() => EchoOnceAsync(http, id, mcpB, cancellationToken));
                seconds[i] = await TimeAsync(() => EchoOnceAsync(http, id, mcpB, cancellationToken));
            }

            var second = Stats(seconds);
            Row($"Streamable HTTP, second request on the other replica ({adoptions} sessions)", second, second);
            Row($"Streamable HTTP, first request on the other replica: adopts the session ({adoptions} sessions)", Stats(firsts), second);
            Console.WriteLine();
            Console.WriteLine($"Redis commands per stateful Streamable HTTP echo call (event log + session record): {perCall}");

            Console.WriteLine();
            await MemoryPerSessionAsync(b, sessions, cancellationToken);
        }
        finally
        {
            redis.Dispose();
        }
    }

    /// <summary>Resident memory of one replica before and after opening many legacy SSE sessions, and as many Streamable HTTP sessions with their GET streams.</summary>
    private static async Task MemoryPerSessionAsync(HostProcess replica, int sessions, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
        var options = new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken };

        var before = ResidentKiB(replica.ProcessId);
        var legacy = new LegacyStream[sessions];
        await Parallel.ForAsync(0, sessions, options, async (i, ct) => legacy[i] = await OpenLegacyAsync(http, replica, ct));
        await PingAllAsync(http, replica, legacy, cancellationToken);
        var withLegacy = ResidentKiB(replica.ProcessId);

        var mcp = new Uri(replica.BaseUri, "/mcp");
        var streams = new SseReader[sessions];
        await Parallel.ForAsync(0, sessions, options, async (i, ct) =>
        {
            var id = await OpenSessionAsync(http, mcp, ct);
            var get = new HttpRequestMessage(HttpMethod.Get, mcp);
            get.Headers.Add("Accept", "text/event-stream");
            get.Headers.Add("Mcp-Session-Id", id);
            get.Headers.Add("MCP-Protocol-Version", "2025-11-25");
            streams[i] = new SseReader(await http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead, ct));
        });
        var withStreamable = ResidentKiB(replica.ProcessId);

        Console.WriteLine("| open sessions on one replica | resident memory MiB | per session KiB |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| none | {before / 1024.0:F0} | |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| + {sessions} legacy SSE sessions (GET /sse open, initialized) | {withLegacy / 1024.0:F0} | {(withLegacy - before) / (double)sessions:F0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| + {sessions} Streamable HTTP sessions (standalone GET stream open) | {withStreamable / 1024.0:F0} | {(withStreamable - withLegacy) / (double)sessions:F0} |"));

        foreach (var stream in legacy)
        {
            stream.Dispose();
        }

        foreach (var stream in streams)
        {
            stream.Dispose();
        }
    }

    private static async Task PingAllAsync(HttpClient http, HostProcess replica, LegacyStream[] streams, CancellationToken cancellationToken) =>
        await Parallel.ForAsync(0, streams.Length, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            await PostAsync(http, new Uri(replica.BaseUri, streams[i].Endpoint), LegacyInitialize, ct);
            await streams[i].Reader.ReadMessageAsync(ct, TimeSpan.FromSeconds(60));
        });

    /// <summary>The resident memory of process <paramref name="processId"/>, in KiB.</summary>
    internal static long ResidentKiB(int processId) =>
        long.Parse(File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static void Row(string name, LatencyStats stats, LatencyStats baseline) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {stats.P50:F3} | {stats.P90:F3} | {stats.P99:F3} | {stats.P50 / baseline.P50:F2}× |"));

    private static async Task<LatencyStats> LegacyEchoAsync(HttpClient http, SseReader stream, Uri endpoint, int calls, CancellationToken cancellationToken)
    {
        var samples = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            samples[i] = await TimeAsync(async () =>
            {
                await PostAsync(http, endpoint, Echo(i + 1), cancellationToken);
                await stream.ReadMessageAsync(cancellationToken);
            });
        }

        return Stats(samples);
    }

    private static async Task<LatencyStats> StreamableEchoAsync(HttpClient http, string sessionId, Uri mcp, int calls, CancellationToken cancellationToken)
    {
        var samples = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            samples[i] = await TimeAsync(() => EchoOnceAsync(http, sessionId, mcp, cancellationToken));
        }

        return Stats(samples);
    }

    private static async Task EchoOnceAsync(HttpClient http, string sessionId, Uri mcp, CancellationToken cancellationToken)
    {
        using var request = Request(mcp, Echo(1));
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private static async Task<double> TimeAsync(Func<Task> call)
    {
        var start = Stopwatch.GetTimestamp();
        await call();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static LatencyStats Stats(double[] samples)
    {
        Array.Sort(samples);
        double At(double p) => samples[(int)Math.Min(samples.Length - 1, Math.Ceiling(p * samples.Length) - 1)];
        return new LatencyStats(samples.Length / (samples.Sum() / 1000), At(0.50), At(0.90), At(0.99));
    }

    private static string Echo(int id) =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + id.ToString(CultureInfo.InvariantCulture) + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"ping\"}}}";

    private static HttpRequestMessage Request(Uri uri, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        return request;
    }

    private static async Task PostAsync(HttpClient http, Uri endpoint, string body, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(Request(endpoint, body), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<string> OpenSessionAsync(HttpClient http, Uri mcp, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(Request(mcp, Initialize), cancellationToken);
        response.EnsureSuccessStatusCode();
        var sessionId = response.Headers.GetValues("Mcp-Session-Id").Single();
        using var initialized = Request(mcp, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        initialized.Headers.Add("Mcp-Session-Id", sessionId);
        initialized.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        using var accepted = await http.SendAsync(initialized, cancellationToken);
        accepted.EnsureSuccessStatusCode();
        return sessionId;
    }

    private static async Task<LegacyStream> OpenLegacyAsync(HttpClient http, HostProcess replica, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(replica.BaseUri, "/sse"));
        request.Headers.Add("Accept", "text/event-stream");
        var reader = new SseReader(await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken));
        SseItem endpoint;
        do
        {
            endpoint = await reader.ReadAsync(cancellationToken, TimeSpan.FromSeconds(60));
        }
        while (endpoint.IsComment);
        return new LegacyStream(reader, endpoint.Data);
    }

    private sealed record LegacyStream(SseReader Reader, string Endpoint) : IDisposable
    {
        public void Dispose() => Reader.Dispose();
    }
}
