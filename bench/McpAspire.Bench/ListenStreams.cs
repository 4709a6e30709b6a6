using System.Diagnostics;
using System.Globalization;
using McpAspire.Testing;

namespace McpAspire.Bench;

/// <summary>
/// Change notifications at scale on redis-server: many <c>subscriptions/listen</c> streams open on worker A, all watching
/// one note, while that note is written through worker B. Resident memory per open stream, and the latency from the
/// start of each write to each stream's notification (the write's own round trip, the publish, the fan-out and the
/// client's read), against the same writes heard by a single stream.
/// </summary>
internal static class ListenStreams
{
    private const string Watched = "note://hot";

    public static async Task RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var streams = settings.Sessions;
        var writes = settings.Smoke ? 3 : 30;
        using var redis = RedisCost.StartSection(
            $"Listen streams (redis-server; {streams} subscriptions/listen streams on worker A watching one note, {writes} writes of it through worker B)", out var port);
        if (redis is null)
        {
            return;
        }

        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = $"127.0.0.1:{port}",
            ["McpAspire__RateLimiting__Enabled"] = "false",
            ["McpAspire__MaxListenStreamsPerPrincipal"] = "1000",
            ["McpAspire__State__KeyPrefix"] = "bench",
        };
        await using var a = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, cancellationToken);
        await using var b = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, cancellationToken);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue };
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var mcpA = new Uri(a.BaseUri, "/mcp");
        var mcpB = new Uri(b.BaseUri, "/mcp");

        // Warm both workers' paths: one stream hears a few writes.
        using (var warm = await OpenAsync(http, mcpA, 1, cancellationToken))
        {
            await DeliverAsync(http, mcpB, [warm], 5, cancellationToken);
        }

        SseReader[] one = [await OpenAsync(http, mcpA, 2, cancellationToken)];
        var single = await DeliverAsync(http, mcpB, one, writes, cancellationToken);
        one[0].Dispose();

        var before = Replicas.ResidentKiB(a.ProcessId);
        var many = new SseReader[streams];
        await Parallel.ForAsync(0, streams, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, ct) => many[i] = await OpenAsync(http, mcpA, 100 + i, ct));
        var after = Replicas.ResidentKiB(a.ProcessId);
        var fanned = await DeliverAsync(http, mcpB, many, writes, cancellationToken);

        Console.WriteLine("| streams watching the note | notifications | p50 ms | p90 ms | p99 ms | max ms | p50 vs one stream |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        Row("1", single, single);
        Row(streams.ToString(CultureInfo.InvariantCulture), fanned, single);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Worker A's resident memory: {before / 1024.0:F0} MiB with none open, {after / 1024.0:F0} MiB with {streams} listen streams open: {(after - before) / (double)streams:F0} KiB per stream. Latency runs from the start of the write's tools/call on worker B to the notification read by the client, all on this machine's {Environment.ProcessorCount} cores."));

        foreach (var stream in many)
        {
            stream.Dispose();
        }
    }

    /// <summary>Opens a listen stream on <paramref name="mcp"/> watching <see cref="Watched"/> and reads its acknowledgement.</summary>
    internal static async Task<SseReader> OpenAsync(HttpClient http, Uri mcp, int id, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(ModernMcp.Listen(mcp, id, [Watched], listChanged: false), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var reader = new SseReader(response);
        var ack = await reader.ReadMessageAsync(cancellationToken, TimeSpan.FromSeconds(60));
        if (ack.GetProperty("method").GetString() != "notifications/subscriptions/acknowledged")
        {
            throw new InvalidOperationException($"The listen stream was not acknowledged: {ack.GetRawText()}");
        }

        return reader;
    }

    /// <summary>
    /// Writes the watched note <paramref name="writes"/> times, one after another, each once every stream has heard the
    /// last: the milliseconds from each write's start to each stream's notification.
    /// </summary>
    internal static async Task<double[]> DeliverAsync(HttpClient http, Uri mcp, SseReader[] streams, int writes, CancellationToken cancellationToken)
    {
        var samples = new List<double>(streams.Length * writes);
        for (var w = 0; w < writes; w++)
        {
            var heard = streams.Select(async stream =>
            {
                var message = await stream.ReadMessageAsync(cancellationToken, TimeSpan.FromSeconds(60));
                if (message.GetProperty("method").GetString() != "notifications/resources/updated")
                {
                    throw new InvalidOperationException($"Not a resource update: {message.GetRawText()}");
                }

                return Stopwatch.GetTimestamp();
            }).ToArray();
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(
                ModernMcp.ToolCall(mcp, w, "notes_put", $$"""{"name":"hot","content":"write {{w}}"}"""), cancellationToken);
            var answer = await RawMcp.ReadMessageAsync(response, cancellationToken);
            if (!answer.TryGetProperty("result", out var result) || result.TryGetProperty("isError", out var isError) && isError.GetBoolean())
            {
                throw new InvalidOperationException($"The write failed: {answer.GetRawText()}");
            }

            foreach (var arrived in await Task.WhenAll(heard))
            {
                samples.Add(Stopwatch.GetElapsedTime(started, arrived).TotalMilliseconds);
            }
        }

        return [.. samples.Order()];
    }

    private static void Row(string streams, double[] sorted, double[] baseline) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {streams} | {sorted.Length} | {At(sorted, 0.5):F2} | {At(sorted, 0.9):F2} | {At(sorted, 0.99):F2} | {sorted[^1]:F2} | {At(sorted, 0.5) / At(baseline, 0.5):F2}× |"));

    private static double At(double[] sorted, double quantile) => sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * quantile))];
}
