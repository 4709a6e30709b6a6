using System.Net;
using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace McpAspire.Transport.Tests;

/// <summary>All three hosts, and both worker replicas, share one state through Redis (embedded Garnet here).</summary>
[Collection(SharedStateGroup.Name)]
public sealed class SharedStateTests(SharedStateFixture deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NoteWrittenOverStdio_IsReadOverLegacySseStatefulHttpAndBothWorkers()
    {
        var name = $"shared-{Guid.NewGuid():N}";
        await using (var sidecar = await deployment.ConnectSidecarAsync(Ct))
        {
            var put = await sidecar.CallToolAsync("notes_put", new Dictionary<string, object?> { ["name"] = name, ["content"] = "from stdio" }, cancellationToken: Ct);
            Assert.NotEqual(true, put.IsError);
        }

        (Uri Endpoint, HttpTransportMode Mode)[] readers =
        [
            (new Uri(deployment.FrontEnd.BaseUri, "/sse"), HttpTransportMode.Sse),
            (new Uri(deployment.FrontEnd.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp),
            (new Uri(deployment.WorkerA.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp),
            (new Uri(deployment.WorkerB.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp),
        ];
        foreach (var (endpoint, mode) in readers)
        {
            await using var client = await SharedStateFixture.ConnectAsync(endpoint, mode, Ct);
            var get = await client.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = name }, cancellationToken: Ct);
            Assert.Equal("from stdio", JsonDocument.Parse(get.Text()).RootElement.GetProperty("content").GetString());
        }
    }

    [Fact]
    public async Task OneClientRoundRobinOverTwoWorkers_CarriesNotesAndLimitsThroughRedis()
    {
        using var http = new HttpClient();
        Uri[] workers = [new(deployment.WorkerA.BaseUri, "/mcp"), new(deployment.WorkerB.BaseUri, "/mcp")];
        var name = $"rr-{Guid.NewGuid():N}";
        var id = 0;

        async Task<HttpResponseMessage> CallAsync(string tool, string arguments) =>
            await http.SendAsync(RawMcp.Post(workers[id % 2], RawMcp.ToolCall(++id, tool, arguments)), Ct);

        using (var put = await CallAsync("notes_put", $$"""{"name":"{{name}}","content":"v1"}""")) { put.EnsureSuccessStatusCode(); }
        using (var get = await CallAsync("notes_get", $$"""{"name":"{{name}}"}"""))
        {
            var result = (await RawMcp.ReadMessageAsync(get, Ct)).GetProperty("result");
            Assert.Contains("\"v1\"", result.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < SharedStateFixture.AddLimit + 2; i++)
        {
            using var add = await CallAsync("add", """{"a":1,"b":2}""");
            statuses.Add(add.StatusCode);
            if (add.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(add.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without Retry-After");
                var error = await RawMcp.ReadMessageAsync(add, Ct);
                Assert.Equal(-32029, error.ErrorCode());
                Assert.Equal(id, error.GetProperty("id").GetInt32());
                Assert.True(error.GetProperty("error").GetProperty("data").GetProperty("retryAfterSeconds").GetInt32() > 0);
            }
        }

        // Both replicas spent one budget: the limit holds across them, which per-process limiters could not do.
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, SharedStateFixture.AddLimit).Concat([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests]), statuses);
    }

    [Fact]
    public async Task RateLimit_500ConcurrentCallsAcrossThreeProcessesAndEveryTransport_GrantsExactlyTheLimit()
    {
        const int PerChannel = 100;
        using var http = new HttpClient();
        await using var sidecar = await deployment.ConnectSidecarAsync(Ct);
        await using var sse = await LegacySseConnection.OpenAsync(http, deployment.FrontEnd.BaseUri, Ct);
        await sse.PostAsync(RawMcp.Initialize, Ct);
        await sse.ReadMessageAsync(Ct);
        await sse.PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""", Ct);
        var frontEndMcp = new Uri(deployment.FrontEnd.BaseUri, "/mcp");
        var session = await RawMcp.OpenSessionAsync(http, frontEndMcp, Ct);

        static string WhoAmI(int id) => RawMcp.ToolCall(id, "whoami", "{}");

        async Task<bool> OverStdioAsync(string tool = "whoami")
        {
            try
            {
                await sidecar.CallToolAsync(tool, tool == "echo" ? new Dictionary<string, object?> { ["message"] = "warm" } : null, cancellationToken: Ct);
                return true;
            }
            catch (McpProtocolException ex) when ((int)ex.ErrorCode == -32029)
            {
                return false;
            }
        }

        async Task<bool> OverHttpAsync(HttpRequestMessage request)
        {
            using (request)
            using (var response = await http.SendAsync(request, Ct))
            {
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Assert.NotNull(response.Headers.RetryAfter);
                    return false;
                }

                response.EnsureSuccessStatusCode();
                return true;
            }
        }

        // Warm every channel and the server's script cache on another tool, so the burst measures the limiter alone.
        await OverStdioAsync("echo");
        Assert.True(await OverHttpAsync(RawMcp.Post(sse.MessageEndpoint, RawMcp.ToolCall(999, "echo", """{"message":"warm"}"""))));
        Assert.True(await OverHttpAsync(RawMcp.PostInSession(frontEndMcp, RawMcp.ToolCall(1999, "echo", """{"message":"warm"}"""), session)));
        Assert.True(await OverHttpAsync(RawMcp.Post(new Uri(deployment.WorkerA.BaseUri, "/mcp"), RawMcp.ToolCall(2999, "echo", """{"message":"warm"}"""))));
        Assert.True(await OverHttpAsync(RawMcp.Post(new Uri(deployment.WorkerB.BaseUri, "/mcp"), RawMcp.ToolCall(3999, "echo", """{"message":"warm"}"""))));

        var calls = Enumerable.Range(0, PerChannel).SelectMany(i => new[]
        {
            OverStdioAsync(),
            OverHttpAsync(RawMcp.Post(sse.MessageEndpoint, WhoAmI(1000 + i))),
            OverHttpAsync(RawMcp.PostInSession(frontEndMcp, WhoAmI(2000 + i), session)),
            OverHttpAsync(RawMcp.Post(new Uri(deployment.WorkerA.BaseUri, "/mcp"), WhoAmI(3000 + i))),
            OverHttpAsync(RawMcp.Post(new Uri(deployment.WorkerB.BaseUri, "/mcp"), WhoAmI(4000 + i))),
        }).ToList();
        var granted = await Task.WhenAll(calls);

        Assert.Equal(SharedStateFixture.WhoAmILimit, granted.Count(g => g));
    }
}
