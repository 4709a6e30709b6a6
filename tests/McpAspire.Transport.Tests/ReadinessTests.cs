using System.Globalization;
using System.Net;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// Ready means warm: a host's <c>/health</c> says Healthy only once it has called itself through its whole pipeline (its
/// warm-up's requests are in the access log, as the principal <c>mcpaspire:warm-up</c>, stamped before that answer), and
/// until then answers 503; <c>/alive</c> answers from the start.
/// </summary>
[Collection(SharedStateGroup.Name)]
public sealed class ReadinessTests(SharedStateFixture state)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("McpAspire.HttpWorker")]
    [InlineData("McpAspire.SseFrontEnd")]
    public async Task Health_SaysHealthy_OnlyOnceTheWarmUpHasCalledThroughThePipeline(string project)
    {
        await using var host = await HostProcess.StartAsync(RepoLayout.ProjectDll(project), state.Environment, Ct);
        using var http = new HttpClient();
        var statuses = new List<HttpStatusCode>();
        await Until.ValueAsync(
            async () =>
            {
                using var alive = await http.GetAsync(new Uri(host.BaseUri, "/alive"), Ct);
                Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
                using var health = await http.GetAsync(new Uri(host.BaseUri, "/health"), Ct);
                statuses.Add(health.StatusCode);
                return health.StatusCode;
            },
            status => status == HttpStatusCode.OK,
            _ => $"/health to say Healthy; it said {string.Join(", ", statuses)}", Ct, TimeSpan.FromSeconds(30));
        var readyAt = DateTime.UtcNow;

        Assert.All(statuses.SkipLast(1), status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
        // tools/list is not the warm-up's last call: its line was logged (and stamped) a round trip or more before the end.
        var listed = await Until.ValueAsync(
            () => Task.FromResult(host.Output.Split(Environment.NewLine).FirstOrDefault(line =>
                line.Contains("principal=mcpaspire:warm-up ", StringComparison.Ordinal) && line.Contains("method=tools/list", StringComparison.Ordinal))),
            line => line is not null, _ => $"the warm-up's tools/list in the access log:{Environment.NewLine}{host.Output}", Ct);
        var stamped = DateTime.Parse(listed!.Split(' ')[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.True(stamped <= readyAt, $"the warm-up's tools/list was logged at {stamped:O}, after /health said Healthy at {readyAt:O}");
    }

    /// <summary>
    /// The warm-up's self-calls spend no client's request budget: with one request a second per client (a burst of two),
    /// its eight calls from loopback all go through, and a loopback client's first request after them is served.
    /// </summary>
    [Fact]
    public async Task TheWarmUp_SpendsNoClientsRequestBudget()
    {
        var environment = new Dictionary<string, string>(state.Environment) { ["McpAspire__Security__RequestsPerClientPerSecond"] = "1" };
        await using var host = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, Ct);

        // Read from the log, not asked of /health: polling would spend the budget this test is about.
        await Until.TrueAsync(
            () => host.Output.Split(Environment.NewLine).Count(line => line.Contains("principal=mcpaspire:warm-up ", StringComparison.Ordinal) && line.Contains("POST /mcp 2", StringComparison.Ordinal)) == 8,
            () => $"the warm-up's eight calls, each served:{Environment.NewLine}{host.Output}", Ct);
        using var http = new HttpClient();
        using var first = await http.SendAsync(RawMcp.Post(new Uri(host.BaseUri, "/mcp"), RawMcp.ToolCall(1, "echo", """{"message":"first"}""")), Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
    }

    /// <summary>
    /// As deployed behind an ingress: Production (HTTPS required of everyone but the ingress's forwarded requests), an
    /// allow-list without loopback, a public host name. The warm-up's self-calls still go the whole way (200, not the
    /// edge's refusal), while a plain-HTTP caller from loopback without the warm-up's key is refused as before.
    /// </summary>
    [Fact]
    public async Task AsDeployedBehindAnIngress_TheWarmUpStillCallsThroughThePipeline_AndNobodyElseGetsItsWay()
    {
        const string PublicName = "mcp.example.com";
        var environment = new Dictionary<string, string>(state.Environment)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["AllowedHosts"] = PublicName,
            ["McpAspire__Security__AllowedNetworks__0"] = "10.0.0.0/8",
            ["McpAspire__Security__KnownProxies__0"] = "10.0.0.0/8",
            ["McpAspire__Security__ApiKeys__ops__Hash"] = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("ops-key-0123456789"u8)),
            ["McpAspire__Security__ApiKeys__ops__Scopes__0"] = "*",
        };
        await using var host = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, Ct);
        using var http = new HttpClient();
        await Until.ValueAsync(
            async () =>
            {
                using var health = new HttpRequestMessage(HttpMethod.Get, new Uri(host.BaseUri, "/health"));
                health.Headers.Host = PublicName;
                using var answer = await http.SendAsync(health, Ct);
                return answer.StatusCode;
            },
            status => status == HttpStatusCode.OK, status => $"/health to say Healthy (it said {status})", Ct, TimeSpan.FromSeconds(30));

        // The access log is written off the request's path: the last calls' lines may follow the answer by a moment.
        var warmUp = await Until.ValueAsync(
            () => Task.FromResult(host.Output.Split(Environment.NewLine).Where(line => line.Contains("principal=mcpaspire:warm-up ", StringComparison.Ordinal)).ToList()),
            lines => lines.Any(line => line.Contains("method=tools/call", StringComparison.Ordinal)),
            lines => $"the warm-up's tools/call in the access log:{Environment.NewLine}{host.Output}", Ct);
        Assert.Contains(warmUp, line => line.Contains("POST /mcp 200 ", StringComparison.Ordinal) && line.Contains("method=tools/list", StringComparison.Ordinal));

        using var outsider = RawMcp.Post(new Uri(host.BaseUri, "/mcp"), RawMcp.Initialize);
        outsider.Headers.Host = PublicName;
        outsider.Headers.Add("X-API-Key", "ops-key-0123456789");
        using var refused = await http.SendAsync(outsider, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith("HTTPS required", (await RawMcp.ReadMessageAsync(refused, Ct)).ErrorMessage(), StringComparison.Ordinal);
    }
}
