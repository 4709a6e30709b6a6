using System.Diagnostics;
using System.Globalization;
using McpAspire.Testing;

namespace McpAspire.Bench;

/// <summary>
/// The first call a replica serves once its health endpoint says it is ready, against the median of the calls after it:
/// what a user pays for whatever a host loads lazily. Each remote host starts as deployed (Production, an API key,
/// redis-server, a key ring already in Redis as on every start but a deployment's first), /health is asked until it
/// says Healthy, then the call is timed. The worker's calls are <c>echo</c> (the pipeline and a tool) and
/// <c>notes_clear</c>'s first round (a Redis read, the limiter, and a request state sealed with the key ring), at the
/// 2026-07-28 wire; the front-end's is <c>initialize</c> (a session recorded in Redis for every replica).
/// </summary>
internal static class FirstCall
{
    private const int SteadyCalls = 50;

    public static async Task RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        using var redis = RedisCost.StartSection(
            $"First call after ready ({settings.StartupRuns} starts per host, as deployed; first call vs the median of the {SteadyCalls} after it)", out var port);
        if (redis is null)
        {
            return;
        }

        Console.WriteLine("| host | call | ready after start, ms | first call ms | steady p50 ms | first / steady |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: |");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add(AsDeployed.KeyCredential.Header, AsDeployed.KeyCredential.Value);
        Func<Uri, int, HttpRequestMessage> echo = (mcp, id) => ModernMcp.ToolCall(mcp, id, "echo", """{"message":"first"}""");
        Func<Uri, int, HttpRequestMessage> clear = (mcp, id) => ModernMcp.ToolCall(mcp, id, "notes_clear");
        var worker = RepoLayout.ProjectDll("McpAspire.HttpWorker");
        var hosts = new List<(string Name, string Host, string Call, Func<Uri, int, HttpRequestMessage> Request)>
        {
            ("stateless worker", worker, "echo", echo),
            ("stateless worker", worker, "notes_clear, first round", clear),
            ("front-end", RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), "initialize", (mcp, _) => RawMcp.Post(mcp, RawMcp.Initialize)),
        };
        using var nativeAot = new NativeAotExecutable(PublishedProject.Worker);
        if (nativeAot.Available)
        {
            var executable = await nativeAot.PathAsync(cancellationToken);
            hosts.InsertRange(2, [("stateless worker, Native AOT", executable, "echo", echo), ("stateless worker, Native AOT", executable, "notes_clear, first round", clear)]);
        }

        foreach (var (name, host, call, request) in hosts)
        {
            // One start that is not reported: it puts the key ring in Redis, and warms this process's own client.
            for (var run = 0; run <= settings.StartupRuns; run++)
            {
                var environment = new Dictionary<string, string>(AsDeployed.Production())
                {
                    ["ConnectionStrings__cache"] = $"127.0.0.1:{port}",
                    ["McpAspire__RateLimiting__PermitLimit"] = "1000000",
                };
                var clock = Stopwatch.StartNew();
                await using var started = await HostProcess.StartAsync(host, environment, cancellationToken);
                var health = new Uri(started.BaseUri, "/health");
                while (!await IsHealthyAsync(http, health, cancellationToken))
                {
                    await Task.Delay(10, cancellationToken);
                }

                var ready = clock.Elapsed.TotalMilliseconds;
                var mcp = new Uri(started.BaseUri, "/mcp");
                var first = await TimeAsync(http, request(mcp, 1), cancellationToken);
                var steady = new List<double>(SteadyCalls);
                for (var i = 0; i < SteadyCalls; i++)
                {
                    steady.Add(await TimeAsync(http, request(mcp, i + 2), cancellationToken));
                }

                steady.Sort();
                var median = steady[steady.Count / 2];
                if (run > 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {call} | {ready:F0} | {first:F1} | {median:F2} | {first / median:F1}× |"));
                }
            }
        }
    }

    /// <summary>Whether /health says Healthy; a host not ready yet answers 503.</summary>
    private static async Task<bool> IsHealthyAsync(HttpClient http, Uri health, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(health, cancellationToken);
        return response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync(cancellationToken) == "Healthy";
    }

    private static async Task<double> TimeAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using (request)
        using (var response = await http.SendAsync(request, cancellationToken))
        {
            var answer = await RawMcp.ReadMessageAsync(response, cancellationToken);
            if (!answer.TryGetProperty("result", out _))
            {
                throw new InvalidOperationException($"The call was not answered with a result: {answer.GetRawText()}");
            }
        }

        return clock.Elapsed.TotalMilliseconds;
    }
}
