using McpAspire.Reliability.Tests.Infrastructure;
using McpAspire.Testing;
using ModelContextProtocol.Client;

namespace McpAspire.Reliability.Tests;

/// <summary>
/// Every host on a Redis as a managed one runs: TLS only, a certificate from a private authority (trusted through
/// <c>McpAspire:State:TlsCaCertificatePath</c>) and a password. Notes written over stdio are read over both HTTP hosts;
/// a wrong password and a certificate that does not validate each leave a host serving what needs no Redis, Degraded,
/// refusing clearly what needs it and logging why (never the password), and it recovers once the cause is fixed,
/// without a restart; so does a host whose Redis stops and comes back.
/// </summary>
public sealed class RedisTlsTests(RedisTlsTests.Hosts hosts) : IClassFixture<RedisTlsTests.Hosts>
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(45);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [RedisServerFact("Redis over TLS with a password")]
    public async Task NotesWrittenOverStdio_AreReadOverBothHttpHosts_ThroughTls()
    {
        var content = $"over tls {Guid.NewGuid():N}";
        await using (var sidecar = await hosts.ConnectSidecarAsync(Ct))
        {
            var put = await sidecar.CallToolAsync("notes_put", Note(content), cancellationToken: Ct);
            Assert.NotEqual(true, put.IsError);
        }

        foreach (var (uri, mode) in new[] { (hosts.WorkerMcp(), HttpTransportMode.StreamableHttp), (hosts.FrontEndMcp(), HttpTransportMode.StreamableHttp) })
        {
            await using var client = await Deployment.ConnectAsync(uri, mode, Ct);
            Assert.Contains(content, (await client.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = "tls" }, cancellationToken: Ct)).Text(), StringComparison.Ordinal);
        }

        using var http = new HttpClient();
        Assert.Equal("Healthy", await hosts.Workers[0].HealthAsync(http, Ct));
    }

    [RedisServerFact("Redis over TLS with a password")]
    public async Task WrongPassword_HostDegradedAndSaysWhy_ThenRecoversOnceThePasswordMatches()
    {
        const string wrong = "not-the-password-91c3";
        var environment = new Dictionary<string, string>(hosts.Environment)
        {
            ["ConnectionStrings__cache"] = hosts.Server.ConnectionString.Replace(TlsRedisServer.Password, wrong, StringComparison.Ordinal),
        };
        await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, Ct);
        try
        {
            await AssertDegradedAsync(worker, "Verify if the Redis password provided is correct");
            Assert.DoesNotContain(wrong, worker.Output, StringComparison.Ordinal);

            // The operator fixes it on the server's side: the password the host has is now the right one.
            await hosts.Redis.ExecuteAsync("CONFIG", "SET", "requirepass", wrong);
            await AssertRecoversAsync(worker);
        }
        finally
        {
            await hosts.Redis.ExecuteAsync("CONFIG", "SET", "requirepass", TlsRedisServer.Password);
        }
    }

    [RedisServerFact("Redis over TLS with a password")]
    public async Task UntrustedCertificate_HostDegradedAndSaysWhy_ThenRecoversOnceTheServerPresentsATrustedOne()
    {
        var server = (TlsRedisServer)hosts.Server;
        using var stranger = new TestCertificates();
        await hosts.Redis.ExecuteAsync("CONFIG", "SET", "tls-cert-file", stranger.ServerCertificatePemPath, "tls-key-file", stranger.ServerKeyPemPath);
        try
        {
            await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), hosts.Environment, Ct);
            await AssertDegradedAsync(worker, "certificate");

            await hosts.Redis.ExecuteAsync("CONFIG", "SET", "tls-cert-file", server.Certificates.ServerCertificatePemPath, "tls-key-file", server.Certificates.ServerKeyPemPath);
            await AssertRecoversAsync(worker);
        }
        finally
        {
            await hosts.Redis.ExecuteAsync("CONFIG", "SET", "tls-cert-file", server.Certificates.ServerCertificatePemPath, "tls-key-file", server.Certificates.ServerKeyPemPath);
        }
    }

    [RedisServerFact("Redis over TLS with a password")]
    public async Task ServerStopped_HostsDegradedAndSayWhy_ThenRecoverOnceItIsBack()
    {
        await hosts.Cache.KillAsync();
        try
        {
            // Nothing listens: the connection is closed, then refused. Said by the worker and the front-end alike.
            await AssertDegradedAsync(hosts.Workers[0], "SocketClosed", "UnableToConnect", "Connection refused");
            await AssertSaysWhyAsync(hosts.FrontEnds[0], "SocketClosed", "UnableToConnect", "Connection refused");
        }
        finally
        {
            await hosts.Cache.StartAsync();
            await hosts.Cache.WaitUntilAnsweringAsync();
        }

        await AssertRecoversAsync(hosts.Workers[0]);
        await AssertRecoversAsync(hosts.FrontEnds[0]);
    }

    /// <summary>Health Degraded and a log line naming one of <paramref name="causes"/>; echo answered, notes_put refused saying Redis is unreachable.</summary>
    private static async Task AssertDegradedAsync(HostProcess worker, params string[] causes)
    {
        await AssertSaysWhyAsync(worker, causes);
        await using var client = await Deployment.ConnectAsync(new Uri(worker.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp, Ct);
        Assert.Equal("still here", (await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "still here" }, cancellationToken: Ct)).Text());
        var put = await client.CallToolAsync("notes_put", Note("refused"), cancellationToken: Ct);
        Assert.True(put.IsError);
        Assert.Contains("the shared state store (Redis) is unreachable", put.Text(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Health Degraded, and the breaker's line saying why (one of <paramref name="causes"/>) without the password. Each
    /// health check is a Redis call through the breaker, so asking for health until it opens is what a host's traffic does.
    /// </summary>
    private static async Task AssertSaysWhyAsync(HostProcess host, params string[] causes)
    {
        using var http = new HttpClient();
        static bool SaysWhy(string line, string[] causes) =>
            line.Contains("Redis cannot be reached", StringComparison.Ordinal) && causes.Any(cause => line.Contains(cause, StringComparison.OrdinalIgnoreCase));
        await Until.ValueAsync(async () => (Health: await host.HealthAsync(http, Ct), SaysWhy: host.Output.Split(Environment.NewLine).Any(line => SaysWhy(line, causes))),
            read => read.Health == "Degraded" && read.SaysWhy,
            read => $"the host to report Degraded (it says {read.Health}) and log why, naming one of {string.Join(", ", causes)}", Ct, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(TlsRedisServer.Password, host.Output, StringComparison.Ordinal);
    }

    private static async Task AssertRecoversAsync(HostProcess worker)
    {
        using var http = new HttpClient();
        await Until.ValueAsync(() => worker.HealthAsync(http, Ct), health => health == "Healthy", health => $"the host to report Healthy (it says {health})", Ct, Recovery);
        await using var client = await Deployment.ConnectAsync(new Uri(worker.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp, Ct);
        Assert.NotEqual(true, (await client.CallToolAsync("notes_put", Note("recovered"), cancellationToken: Ct)).IsError);
        Assert.Contains(worker.Output.Split(Environment.NewLine), line => line.Contains("Redis is reachable again", StringComparison.Ordinal));
    }

    private static Dictionary<string, object?> Note(string content) => new() { ["name"] = "tls", ["content"] = content };

    /// <summary>A front-end and a worker (and sidecars on demand) on redis-server with TLS only and a password.</summary>
    public sealed class Hosts : Deployment
    {
        protected override RedisTestServer CreateServer() => new TlsRedisServer();

        protected override void Configure(Dictionary<string, string> environment)
        {
            environment["McpAspire__State__TlsCaCertificatePath"] = ((TlsRedisServer)Server).Certificates.AuthorityPemPath;
            environment["McpAspire__State__OperationTimeout"] = "00:00:01";
        }
    }
}
