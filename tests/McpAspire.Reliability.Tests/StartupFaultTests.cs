using System.Net;
using McpAspire.Reliability.Tests.Infrastructure;
using McpAspire.Testing;
using ModelContextProtocol.Client;

namespace McpAspire.Reliability.Tests;

/// <summary>
/// The hosts start while their Redis address answers nothing (wrong, or not up yet): they start anyway, say so in
/// health, answer what needs no Redis and refuse clearly what does, and once Redis answers at that address they
/// recover without a restart.
/// </summary>
public sealed class StartupFaultTests(StartupFaultTests.Hosts hosts) : IClassFixture<StartupFaultTests.Hosts>
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(45);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RedisUnreachableAtStartUp_HostsServeWhatTheyCan_ThenRecoverWhenItAnswers()
    {
        using var http = new HttpClient();
        await using var sidecar = await hosts.ConnectSidecarAsync(Ct);
        await using var worker = await Deployment.ConnectAsync(hosts.WorkerMcp(), HttpTransportMode.StreamableHttp, Ct);

        Assert.All(await HealthAsync(http), health => Assert.Equal("Degraded", health));
        Assert.Equal("no redis", (await worker.CallToolAsync("echo", Echo("no redis"), cancellationToken: Ct)).Text());
        Assert.Equal("no redis", (await sidecar.CallToolAsync("echo", Echo("no redis"), cancellationToken: Ct)).Text());
        foreach (var client in new[] { worker, sidecar })
        {
            var put = await client.CallToolAsync("notes_put", Note("before"), cancellationToken: Ct);
            Assert.True(put.IsError);
            Assert.Contains("the shared state store (Redis) is unreachable. Nothing was changed", put.Text(), StringComparison.Ordinal);
        }

        // A front-end session must be findable by every replica, so none starts: 503 and retry, not a session that breaks later.
        using (var initialize = await http.SendAsync(RawMcp.Post(hosts.FrontEndMcp(), RawMcp.Initialize), Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, initialize.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), initialize.Headers.RetryAfter?.Delta);
            Assert.Equal(-32030, (await RawMcp.ReadMessageAsync(initialize, Ct)).ErrorCode());
        }

        await hosts.Cache.InitializeAsync();

        await Until.TrueAsync(() => HealthAsync(http).Result.All(h => h == "Healthy"), () => "every host to report Healthy", Ct, Recovery);
        foreach (var client in new[] { worker, sidecar })
        {
            await Until.TrueAsync(() => client.CallToolAsync("notes_put", Note("after"), cancellationToken: Ct).AsTask().Result.IsError != true,
                () => "notes_put to succeed", Ct, Recovery);
        }

        await using var session = await Deployment.ConnectAsync(hosts.FrontEndMcp(), HttpTransportMode.StreamableHttp, Ct);
        Assert.Contains("\"after\"", (await session.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = "startup" }, cancellationToken: Ct)).Text(), StringComparison.Ordinal);
        // Each host is the process the test started (HostProcess never restarts one): none exited on the way.
        Assert.DoesNotContain(hosts.FrontEnds.Concat(hosts.Workers), h => h.HasExited);
    }

    private static Dictionary<string, object?> Echo(string message) => new() { ["message"] = message };

    private static Dictionary<string, object?> Note(string content) => new() { ["name"] = "startup", ["content"] = content };

    private async Task<string[]> HealthAsync(HttpClient http) =>
        await Task.WhenAll(hosts.FrontEnds.Concat(hosts.Workers).Select(h => h.HealthAsync(http, Ct)));

    /// <summary>A front-end and a worker pointed at a Redis address where nothing listens yet.</summary>
    public sealed class Hosts : Deployment
    {
        protected override bool CacheRunsAtStart => false;

        protected override void Configure(Dictionary<string, string> environment) =>
            environment["McpAspire__State__OperationTimeout"] = "00:00:01";
    }
}
