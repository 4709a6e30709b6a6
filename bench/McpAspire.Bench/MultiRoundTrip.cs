using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpAspire.Hosting.RequestState;
using McpAspire.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using StackExchange.Redis;

namespace McpAspire.Bench;

/// <summary>
/// Multi round-trip requests on redis-server: a two-round elicitation (<c>notes_clear</c>, the user confirms) on two
/// stateless workers, round one on one and round two on the other, against the same exchange on a 2025-era stateful
/// session of the front-end (a classic elicitation request on the session); the Redis commands an exchange costs; and
/// what sealing and opening a request state cost, in this process.
/// </summary>
internal static class MultiRoundTrip
{
    private const string Version = "2026-07-28";

    public static async Task RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var (calls, warmUp) = (settings.Calls, settings.WarmUp);
        using var redis = RedisCost.StartSection(
            $"Multi round-trip requests (redis-server; notes_clear: asks the user, then clears; {calls} sequential exchanges per row after {warmUp} warm-up)", out var port);
        if (redis is null)
        {
            return;
        }

        await using var admin = await RedisCost.ConnectAsync($"127.0.0.1:{port},allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = $"127.0.0.1:{port}",
            ["McpAspire__RateLimiting__Enabled"] = "false",
            ["McpAspire__State__KeyPrefix"] = "bench",
        };
        await using var a = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, cancellationToken);
        await using var b = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, cancellationToken);
        await using var frontEnd = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), environment, cancellationToken);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var mcpA = new Uri(a.BaseUri, "/mcp");
        var mcpB = new Uri(b.BaseUri, "/mcp");

        await using var session = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(frontEnd.BaseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
            Confirming("2025-11-25"), cancellationToken: cancellationToken);
        await using var sdk = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcpA, TransportMode = HttpTransportMode.StreamableHttp }),
            Confirming(null), cancellationToken: cancellationToken);

        var stateful = await Measure.SequentialAsync(() => ClearAsync(session, cancellationToken), warmUp, calls);
        var crossing = await Measure.SequentialAsync(() => TwoRoundsAsync(http, mcpA, mcpB, cancellationToken), warmUp, calls);
        var sdkRow = await Measure.SequentialAsync(() => ClearAsync(sdk, cancellationToken), warmUp, calls);

        Console.WriteLine("| exchange | exchanges/s | p50 ms | p90 ms | p99 ms | p50 vs stateful session |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        Row("2025-11-25 stateful session on the front-end: a classic elicitation request on the session (the baseline)", stateful, stateful);
        Row("2026-07-28 stateless: round one on worker A, round two on worker B (raw HTTP)", crossing, stateful);
        Row("2026-07-28 stateless: the SDK's client on worker A, both rounds", sdkRow, stateful);

        await server.ExecuteAsync("CONFIG", "RESETSTAT");
        var sampled = Math.Min(calls, 200);
        for (var i = 0; i < sampled; i++)
        {
            await TwoRoundsAsync(http, mcpA, mcpB, cancellationToken);
        }

        var perExchange = string.Join(", ", (await RedisCost.CommandStatsAsync(server))
            .Where(c => !c.Key.StartsWith("config", StringComparison.Ordinal) && c.Key != "info")
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value / (double)sampled:F2}")));
        Console.WriteLine();
        Console.WriteLine($"Redis commands per two-round exchange (both workers, {sampled} exchanges): {perExchange}. The request state's own cost is the `set` (its single-use marker, in round two); `hgetall` (round one counts the notes) and `evalsha` (round two clears them, the `hlen` and `del` inside it) are the tool's work; what is well under one an exchange is replica heartbeats and session records, paid by time, not by call.");

        await SealAndOpenAsync(port, calls, cancellationToken);
    }

    /// <summary>CPU per seal and per open (with its one Redis round trip), against a bare SET NX to the same Redis.</summary>
    private static async Task SealAndOpenAsync(int port, int calls, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = $"127.0.0.1:{port}",
            ["McpAspire:State:KeyPrefix"] = "bench-seal",
        });
        builder.AddMcpAspireState("cache");
        builder.Services.AddMcpServer().WithMcpAspireSealedRequestState();
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var sealer = host.Services.GetRequiredService<RequestStateSealer>();
        var db = host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var binding = new RequestStateBinding("bench", "tools/call", "notes_clear", ArgumentsDigest.Compute([]));
        var states = new string[calls + 100];
        for (var i = 0; i < 100; i++)
        {
            await sealer.OpenAsync(sealer.Seal("notes_clear:confirm", binding), binding, cancellationToken);
            await db.StringSetAsync($"bench-seal:warm:{i}", 1, TimeSpan.FromMinutes(1), When.NotExists);
        }

        var sealCpu = CpuTime(() =>
        {
            for (var i = 0; i < calls; i++)
            {
                states[i] = sealer.Seal("notes_clear:confirm", binding);
            }
        });
        var openWatch = Stopwatch.StartNew();
        var openCpu = await CpuTimeAsync(async () =>
        {
            for (var i = 0; i < calls; i++)
            {
                await sealer.OpenAsync(states[i], binding, cancellationToken);
            }
        });
        openWatch.Stop();
        var setWatch = Stopwatch.StartNew();
        var setCpu = await CpuTimeAsync(async () =>
        {
            for (var i = 0; i < calls; i++)
            {
                await db.StringSetAsync($"bench-seal:plain:{i}", 1, TimeSpan.FromMinutes(1), When.NotExists);
            }
        });
        setWatch.Stop();

        Console.WriteLine();
        Console.WriteLine($"Sealing and opening a request state in one process ({calls} each, sequential; sealed length {states[0].Length} characters):");
        Console.WriteLine();
        Console.WriteLine("| operation | CPU µs each | wall µs each | vs a bare SET NX |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| seal (Data Protection, no Redis) | {sealCpu.TotalMicroseconds / calls:F1} | {sealCpu.TotalMicroseconds / calls:F1} | |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| open (verify, decrypt, check, SET NX) | {openCpu.TotalMicroseconds / calls:F1} | {openWatch.Elapsed.TotalMicroseconds / calls:F1} | {openWatch.Elapsed / setWatch.Elapsed:F2}× wall |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| bare SET NX with expiry (baseline) | {setCpu.TotalMicroseconds / calls:F1} | {setWatch.Elapsed.TotalMicroseconds / calls:F1} | 1× |"));
        await host.StopAsync(cancellationToken);
    }

    private static TimeSpan CpuTime(Action action)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        action();
        return Process.GetCurrentProcess().TotalProcessorTime - before;
    }

    private static async Task<TimeSpan> CpuTimeAsync(Func<Task> action)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        await action();
        return Process.GetCurrentProcess().TotalProcessorTime - before;
    }

    private static McpClientOptions Confirming(string? protocolVersion) => new()
    {
        ProtocolVersion = protocolVersion,
        Handlers = new McpClientHandlers
        {
            ElicitationHandler = (_, _) => ValueTask.FromResult(new ElicitResult
            {
                Action = "accept",
                Content = new Dictionary<string, JsonElement> { ["confirm"] = JsonSerializer.SerializeToElement(true) },
            }),
        },
    };

    private static async Task ClearAsync(McpClient client, CancellationToken cancellationToken)
    {
        var result = await client.CallToolAsync("notes_clear", cancellationToken: cancellationToken);
        if (result.IsError == true)
        {
            throw new InvalidOperationException("notes_clear failed: " + string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text)));
        }
    }

    /// <summary>Round one on <paramref name="first"/>, round two (the user's confirmation and the sealed state) on <paramref name="second"/>.</summary>
    private static async Task TwoRoundsAsync(HttpClient http, Uri first, Uri second, CancellationToken cancellationToken)
    {
        var asked = await PostAsync(http, first, ToolCall(null, null), cancellationToken);
        var state = asked["result"]!["requestState"]!.GetValue<string>();
        var done = await PostAsync(http, second, ToolCall("""{"confirm":{"action":"accept","content":{"confirm":true}}}""", state), cancellationToken);
        if (done["result"]?["resultType"]?.GetValue<string>() != "complete")
        {
            throw new InvalidOperationException($"Round two did not complete: {done.ToJsonString()}");
        }
    }

    private static string ToolCall(string? inputResponses, string? requestState)
    {
        var parameters = new JsonObject
        {
            ["name"] = "notes_clear",
            ["arguments"] = new JsonObject(),
            ["_meta"] = new JsonObject
            {
                ["io.modelcontextprotocol/protocolVersion"] = Version,
                ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject { ["elicitation"] = new JsonObject() },
            },
        };
        if (inputResponses is not null)
        {
            parameters["inputResponses"] = JsonNode.Parse(inputResponses);
            parameters["requestState"] = requestState;
        }

        return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = "tools/call", ["params"] = parameters }.ToJsonString();
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, Uri mcp, string body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, mcp) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("MCP-Protocol-Version", Version);
        request.Headers.Add("Mcp-Method", "tools/call");
        request.Headers.Add("Mcp-Name", "notes_clear");
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Select(l => l.TrimEnd('\r')).Last(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..]
            : text;
        return JsonNode.Parse(json)!;
    }

    private static void Row(string name, LatencyStats stats, LatencyStats baseline) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {stats.PerSecond:F0} | {stats.P50:F3} | {stats.P90:F3} | {stats.P99:F3} | {stats.P50 / baseline.P50:F2}× |"));
}
