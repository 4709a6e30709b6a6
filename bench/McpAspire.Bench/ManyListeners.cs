using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using McpAspire.Testing;

namespace McpAspire.Bench;

/// <summary>
/// Ten thousand <c>subscriptions/listen</c> streams on one worker (redis-server, Production with an API key per
/// principal, since the cap on streams is per principal): opened all at once, each principal's streams hearing a write
/// of its note through a second worker, then all closed at once. Echo latency on the busy worker while they are open and
/// right after they close, against its idle median; resident memory per stream; and whatever the worker logged at
/// Warning or above meanwhile (the breaker opening on a busy host's own queue would show there).
/// </summary>
internal static class ManyListeners
{
    private const int PerPrincipal = 1000;

    public static async Task RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var principals = settings.Smoke ? 2 : 10;
        var perPrincipal = settings.Smoke ? 10 : PerPrincipal;
        var streams = principals * perPrincipal;
        using var redis = RedisCost.StartSection(
            $"{streams} listen streams on one worker ({principals} principals × {perPrincipal}; redis-server; opened and closed all at once)", out var port);
        if (redis is null)
        {
            return;
        }

        var keys = Enumerable.Range(0, principals).Select(i => $"bench-listener-key-{i:D2}-0123456789abcdef").ToArray();
        var environment = new Dictionary<string, string>(AsDeployed.Production())
        {
            ["ConnectionStrings__cache"] = $"127.0.0.1:{port}",
            ["McpAspire__RateLimiting__Enabled"] = "false",
            ["McpAspire__MaxListenStreamsPerPrincipal"] = PerPrincipal.ToString(CultureInfo.InvariantCulture),
            ["McpAspire__State__KeyPrefix"] = "bench-many",
        };
        for (var i = 0; i < keys.Length; i++)
        {
            environment[$"McpAspire__Security__ApiKeys__listener{i}__Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(keys[i])));
            environment[$"McpAspire__Security__ApiKeys__listener{i}__Scopes__0"] = "*";
        }

        // The worker as deployed (Native AOT, where it links here), then the framework-dependent one.
        using var nativeAot = new NativeAotExecutable(PublishedProject.Worker);
        var workers = new List<(string Name, string Path)>();
        if (nativeAot.Available)
        {
            workers.Add(("Native AOT", await nativeAot.PathAsync(cancellationToken)));
        }

        workers.Add(("framework-dependent", RepoLayout.ProjectDll("McpAspire.HttpWorker")));
        foreach (var (name, path) in workers)
        {
            Console.WriteLine($"Worker {name}:");
            Console.WriteLine();
            await RunOnAsync(path, environment, keys, principals, perPrincipal, settings, cancellationToken);
        }
    }

    private static async Task RunOnAsync(string worker, Dictionary<string, string> environment, string[] keys, int principals, int perPrincipal, BenchSettings settings, CancellationToken cancellationToken)
    {
        var streams = principals * perPrincipal;
        await using var a = await HostProcess.StartAsync(worker, environment, cancellationToken);
        await using var b = await HostProcess.StartAsync(worker, environment, cancellationToken);
        var mcpA = new Uri(a.BaseUri, "/mcp");
        var mcpB = new Uri(b.BaseUri, "/mcp");
        var clients = keys.Select(key =>
        {
            var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.Add(AsDeployed.KeyCredential.Header, key);
            return http;
        }).ToArray();
        // The echo client has connections of its own: what it measures is the worker, not this process's pool of streams.
        using var echo = new HttpClient();
        echo.DefaultRequestHeaders.Add(AsDeployed.KeyCredential.Header, keys[0]);
        try
        {
            var calls = settings.Smoke ? 20 : 200;
            var idle = await EchoAsync(echo, mcpA, settings.WarmUp, calls);
            var loggedBefore = a.Output.Length;
            var before = Replicas.ResidentKiB(a.ProcessId);

            var open = new SseReader[streams];
            var opening = System.Diagnostics.Stopwatch.StartNew();
            await Parallel.ForAsync(0, streams, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken },
                async (i, ct) => open[i] = await ListenStreams.OpenAsync(clients[i % principals], mcpA, 1000 + i, ct));
            var opened = opening.Elapsed.TotalSeconds;
            var after = Replicas.ResidentKiB(a.ProcessId);
            var busy = await EchoAsync(echo, mcpA, 0, calls);

            var heard = new List<double>();
            for (var p = 0; p < principals; p++)
            {
                var own = open.Where((_, i) => i % principals == p).ToArray();
                heard.AddRange(await ListenStreams.DeliverAsync(clients[p], mcpB, own, 1, cancellationToken));
            }

            heard.Sort();
            foreach (var stream in open)
            {
                stream.Dispose();
            }

            // Worker B first: it holds none of the streams, so a slow answer there would be this process's doing.
            var otherAfterClose = await EchoAsync(echo, mcpB, 0, 1);
            var firstAfterClose = await EchoAsync(echo, mcpA, 0, 1);
            var afterClose = await EchoAsync(echo, mcpA, 0, calls);
            var loud = a.Output[loggedBefore..].Split(Environment.NewLine)
                .Where(line => line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
                .ToList();

            Console.WriteLine("| worker A | echo p50 ms | echo p99 ms | p50 vs idle |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            Row("idle", idle, idle);
            Row($"{streams} streams open", busy, idle);
            Row("first call after all closed (on worker B, which held none)", otherAfterClose, idle);
            Row("first call after all closed", firstAfterClose, idle);
            Row("after all closed", afterClose, idle);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Opened in {opened:F1} s; resident memory {before / 1024.0:F0} MiB before, {after / 1024.0:F0} MiB with them open: {(after - before) / (double)streams:F0} KiB per stream. " +
                $"A write through worker B heard on every stream: p50 {heard[heard.Count / 2]:F1} ms, max {heard[^1]:F1} ms ({heard.Count} notifications). " +
                $"Worker A logged {loud.Count} lines at Warning or above meanwhile{(loud.Count == 0 ? "" : ": " + string.Join(" | ", loud.Take(3)))}."));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static Task<LatencyStats> EchoAsync(HttpClient http, Uri mcp, int warmUp, int calls)
    {
        var id = 0;
        return Measure.SequentialAsync(async () =>
        {
            using var response = await http.SendAsync(ModernMcp.ToolCall(mcp, ++id, "echo", """{"message":"busy"}"""));
            var answer = await RawMcp.ReadMessageAsync(response, CancellationToken.None);
            if (!answer.TryGetProperty("result", out _))
            {
                throw new InvalidOperationException($"echo failed: {answer.GetRawText()}");
            }
        }, warmUp, calls);
    }

    private static void Row(string what, LatencyStats stats, LatencyStats idle) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {stats.P50:F2} | {stats.P99:F2} | {stats.P50 / idle.P50:F1}× |"));
}
