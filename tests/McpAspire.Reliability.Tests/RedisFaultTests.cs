using System.Net;
using McpAspire.Reliability.Tests.Infrastructure;
using McpAspire.Testing;
using ModelContextProtocol.Client;

namespace McpAspire.Reliability.Tests;

/// <summary>
/// Redis fails under load — killed, paused (SIGSTOP), restarted — or is wrong from the start. The hosts stay up,
/// callers get the documented errors (a tool error for notes; 503 -32030 where a session must be found in Redis),
/// health and the exported metrics say what is happening, every acknowledged write is there afterwards, and everything
/// recovers without a restart. Each test has a deployment of its own, since it breaks it.
/// </summary>
public sealed class RedisFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(45);
    private readonly OtlpMetricsReceiver _metrics = new();
    private FaultDeployment _deployment = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _deployment = new FaultDeployment(_metrics);
        await _deployment.InitializeAsync();
    }

    [RedisServerFact("an append-only file, so that a SIGKILL loses no acknowledged write")]
    public Task RedisKilledUnderLoad_ThenStartedAgain_NothingAcknowledgedIsLost() =>
        RunFaultAsync(() => _deployment.Cache.KillAsync(), async () => await _deployment.Cache.StartAsync());

    [Fact]
    public Task RedisPausedUnderLoad_CallsTimeOutClearly_ThenRecoverWhenResumed() =>
        RunFaultAsync(() => { _deployment.Cache.Pause(); return Task.CompletedTask; }, () => { _deployment.Cache.Resume(); return Task.CompletedTask; });

    [RedisServerFact("an append-only file, so that a restart loses no acknowledged write")]
    public Task RedisRestartedUnderLoad_ClientsCarryOn() =>
        RunFaultAsync(async () => await _deployment.Cache.StopAsync(), async () => await _deployment.Cache.StartAsync());

    /// <summary>
    /// Steady load, then the fault until every host reports it (health Degraded, circuit open in the exported metrics)
    /// and the load has hit it, then the recovery until every host is Healthy, then steady load again.
    /// </summary>
    private async Task RunFaultAsync(Func<Task> fault, Func<Task> recover)
    {
        var frontEnds = new HttpRecorder(_deployment.FrontEnds.Select(h => h.BaseUri));
        var workers = new HttpRecorder(_deployment.Workers.Select(h => h.BaseUri));
        var load = new LoadDriver(_deployment, frontEnds, workers);
        var faulty = false;
        var going = true;
        var running = load.RunAsync(() => going, failure => faulty && IsDocumentedOutageAnswer(failure), Ct);
        using var http = new HttpClient();
        try
        {
            load.Phase = "before ";
            await Until.TrueAsync(() => load.Count(" ok") > 200, () => "200 calls before the fault", Ct, Recovery);

            faulty = true;
            load.Phase = "during ";
            await fault();
            await Until.TrueAsync(() => HealthOfAllAsync(http).Result.All(h => h == "Degraded"), () => "every host to report Degraded", Ct, Recovery);
            await Until.TrueAsync(() => _metrics.Values.TryGetValue("mcpaspire.redis.circuit.open", out var open) && open.Contains(1), () => "an exported open circuit", Ct, Recovery);
            await Until.TrueAsync(() => load.Count(" tool-error") > 20, () => "the load to meet the outage", Ct, Recovery);

            load.Phase = "recovering ";
            var recoveredAt = System.Diagnostics.Stopwatch.StartNew();
            await recover();
            await Until.TrueAsync(() => HealthOfAllAsync(http).Result.All(h => h == "Healthy"), () => "every host to report Healthy again", Ct, Recovery);
            var healthy = recoveredAt.Elapsed;
            // Recovered: every client has written a note again, so every process has reconnected (the sidecars have no
            // health endpoint to ask).
            await load.EveryClientWritesAsync(Recovery, Ct);
            var written = recoveredAt.Elapsed;
            await load.SettleAsync(Recovery, Ct);
            TestContext.Current.TestOutputHelper?.WriteLine($"recovery: every host Healthy after {healthy.TotalSeconds:F1} s, every client writing after {written.TotalSeconds:F1} s");

            faulty = false;
            load.Phase = "after ";
            // Steady again: every client writes once more, and from here on any failure counts against the test.
            await load.EveryClientWritesAsync(Recovery, Ct);
        }
        finally
        {
            going = false;
            await running;
        }

        var report = $"{load.Summary()}{Environment.NewLine}front-end 5xx: {string.Join("; ", frontEnds.ServerErrors.Take(5))}";
        if (!load.Unexpected.IsEmpty)
        {
            report += string.Concat(_deployment.FrontEnds.Concat(_deployment.Workers).Select(h =>
                $"{Environment.NewLine}--- {h.BaseUri} ---{Environment.NewLine}{string.Join(Environment.NewLine, h.Output.Split(Environment.NewLine).TakeLast(400))}"));
        }
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        await load.AssertHeldAsync(report);
        load.AssertOnlyStateUnavailableServerErrors();
        Assert.True(_metrics.Values.TryGetValue("mcpaspire.ratelimit.fallbacks", out var fallbacks) && fallbacks.Max() > 0, "no rate-limit fallback was exported");
        await Until.TrueAsync(() => _metrics.Last("mcpaspire.redis.circuit.open") == 0, () => "the exported circuit to close", Ct, Recovery);
        Assert.DoesNotContain(_deployment.FrontEnds.Concat(_deployment.Workers), h => h.HasExited);
    }

    /// <summary>What the README documents for a call while Redis is unreachable or stalled.</summary>
    private static bool IsDocumentedOutageAnswer(LoadFailure failure) => failure switch
    {
        { Kind: "tool-error" } => failure.Detail.Contains("the shared state store (Redis)", StringComparison.Ordinal),
        { Kind: "http-503" } => failure.Transport is "sse" or "streamable-http",
        // A session cannot start until every replica can find it (initialize or GET /sse answered 503), or its first
        // request reached a replica that must look it up in Redis.
        { Tool: "connect" } when failure.Detail.Contains("503 (Service Unavailable)", StringComparison.Ordinal) => failure.Detail.Contains("\"code\":-32030", StringComparison.Ordinal),
        _ => false,
    };

    private async Task<string[]> HealthOfAllAsync(HttpClient http) =>
        await Task.WhenAll(_deployment.FrontEnds.Concat(_deployment.Workers).Select(h => h.HealthAsync(http, Ct)));

    public async ValueTask DisposeAsync()
    {
        await _deployment.DisposeAsync();
        _metrics.Dispose();
    }

    /// <summary>Two front-ends and a worker on redis-server, exporting metrics to the test, with short Redis timeouts.</summary>
    private sealed class FaultDeployment(OtlpMetricsReceiver metrics) : Deployment
    {
        protected override int FrontEndCount => 2;

        protected override void Configure(Dictionary<string, string> environment)
        {
            environment["McpAspire__State__OperationTimeout"] = "00:00:01";
            environment["McpAspire__RateLimiting__PermitLimit"] = "1000000";
            environment["McpAspire__RateLimiting__Tools__whoami"] = "100";
            environment["McpAspire__Notes__MaxPerPrincipal"] = "10000";
            environment["Logging__LogLevel__Default"] = "Warning";
            environment["Logging__LogLevel__McpAspire"] = "Information";
            foreach (var (key, value) in metrics.Environment())
            {
                environment[key] = value;
            }
        }
    }
}
