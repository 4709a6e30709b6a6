using System.Net;
using McpAspire.Reliability.Tests.Infrastructure;
using McpAspire.Testing;
using ModelContextProtocol.Client;

namespace McpAspire.Reliability.Tests;

/// <summary>
/// Abuse of HTTP itself against both hosts: slow bodies and slow headers (slowloris), huge and repeated headers,
/// broken framing. Each gets a 4xx, the connection is let go, and the hosts go on serving everyone else meanwhile.
/// </summary>
public sealed class HttpAbuseTests(HttpAbuseTests.Hosts hosts) : IClassFixture<HttpAbuseTests.Hosts>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<bool> BothHosts => new(true, false);

    [Theory, MemberData(nameof(BothHosts))]
    public async Task SlowBody_Gets408AfterTheGracePeriod_WhileOthersAreServed(bool frontEnd)
    {
        var host = hosts.Host(frontEnd);
        using var slow = await RawHttp.ConnectAsync(host, Ct);
        await slow.SendAsync(RawHttp.PostHead(host, "/mcp", "1000") + "\r\n{", Ct);

        // Two bytes a second, far below the 240 B/s floor; the floor counts after a 5-second grace period.
        var trickle = slow.TrickleAsync(" ", TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), Ct);
        await AssertOthersServedAsync(frontEnd, calls: 5);
        await trickle;
        var answer = await slow.ReadToCloseAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.StartsWith("HTTP/1.1 408 Request Timeout", answer, StringComparison.Ordinal);
        Assert.Contains("""{"error":{"code":-32600,"message":"Bad request: Reading the request body timed out due to data arriving too slowly.""", answer, StringComparison.Ordinal);
        await AssertOthersServedAsync(frontEnd, calls: 1);
    }

    [Theory, MemberData(nameof(BothHosts))]
    public async Task ManySlowHeaderConnections_AreCutOffAtTheHeaderTimeout_WhileOthersAreServed(bool frontEnd)
    {
        var host = hosts.Host(frontEnd);
        var connections = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => RawHttp.ConnectAsync(host, Ct)));
        try
        {
            var slowClients = connections.Select(async connection =>
            {
                await connection.SendAsync($"POST /mcp HTTP/1.1\r\nHost: {host.Authority}\r\n", Ct);
                await connection.TrickleAsync("X-Slow: 1\r\n", TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), Ct);
                return await connection.ReadToCloseAsync(TimeSpan.FromSeconds(30), Ct);
            }).ToList();

            await AssertOthersServedAsync(frontEnd, calls: 5);
            var answers = await Task.WhenAll(slowClients);

            // Cut off at McpAspire:Http:RequestHeadersTimeout (2 s here), well before the trickle's 30 s.
            Assert.All(answers, answer => Assert.StartsWith("HTTP/1.1 408 Request Timeout", answer, StringComparison.Ordinal));
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }
        }

        await AssertOthersServedAsync(frontEnd, calls: 1);
    }

    [Theory]
    [InlineData(true, 40_000, 1, "431 Request Header Fields Too Large")]
    [InlineData(false, 40_000, 1, "431 Request Header Fields Too Large")]
    [InlineData(true, 10, 150, "431 Request Header Fields Too Large")]
    [InlineData(false, 10, 150, "431 Request Header Fields Too Large")]
    public async Task HugeOrTooManyHeaders_Get431(bool frontEnd, int headerLength, int headerCount, string status)
    {
        var host = hosts.Host(frontEnd);
        using var connection = await RawHttp.ConnectAsync(host, Ct);
        var headers = string.Concat(Enumerable.Range(0, headerCount).Select(i => $"X-Big-{i}: {new string('a', headerLength)}\r\n"));
        var body = RawMcp.ToolCall(1, "echo", """{"message":"x"}""");

        await connection.SendAsync(RawHttp.PostHead(host, "/mcp", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)) + headers + "\r\n" + body, Ct);

        Assert.StartsWith($"HTTP/1.1 {status}", await connection.ReadHeadAsync(TimeSpan.FromSeconds(15), Ct), StringComparison.Ordinal);
        await AssertOthersServedAsync(frontEnd, calls: 1);
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", "400 Bad Request")]
    [InlineData("Content-Length: ten\r\n\r\n{}", "400 Bad Request")]
    [InlineData("Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "400 Bad Request")]
    [InlineData("Transfer-Encoding: gzip\r\n\r\n{}", "400 Bad Request")]
    public async Task BrokenFraming_IsRefusedByKestrel(string rest, string status)
    {
        foreach (var frontEnd in new[] { true, false })
        {
            var host = hosts.Host(frontEnd);
            using var connection = await RawHttp.ConnectAsync(host, Ct);

            await connection.SendAsync(RawHttp.PostHead(host, "/mcp", contentLength: null) + rest, Ct);

            Assert.StartsWith($"HTTP/1.1 {status}", await connection.ReadHeadAsync(TimeSpan.FromSeconds(15), Ct), StringComparison.Ordinal);
            await AssertOthersServedAsync(frontEnd, calls: 1);
        }
    }

    [Fact]
    public async Task ABodyCutShort_LeavesTheHostServing()
    {
        foreach (var frontEnd in new[] { true, false })
        {
            var host = hosts.Host(frontEnd);
            using (var connection = await RawHttp.ConnectAsync(host, Ct))
            {
                await connection.SendAsync(RawHttp.PostHead(host, "/mcp", "500") + "\r\n" + """{"jsonrpc":"2.0","id":1,"method":"tools/call","par""", Ct);
            }

            await AssertOthersServedAsync(frontEnd, calls: 1);
            Assert.False(hosts.FrontEnds[0].HasExited || hosts.Workers[0].HasExited);
        }
    }

    [Fact]
    public async Task RepeatedOrOversizeSessionIds_GetClearAnswers()
    {
        using var http = new HttpClient();
        var sessionId = await RawMcp.OpenSessionAsync(http, hosts.FrontEndMcp(), Ct);

        using var twice = RawMcp.PostInSession(hosts.FrontEndMcp(), """{"jsonrpc":"2.0","id":2,"method":"ping"}""", sessionId);
        twice.Headers.Add("Mcp-Session-Id", sessionId);
        using var repeated = await http.SendAsync(twice, Ct);
        using var huge = await http.SendAsync(RawMcp.PostInSession(hosts.FrontEndMcp(), """{"jsonrpc":"2.0","id":3,"method":"ping"}""", new string('s', 8000)), Ct);
        using var stillThere = await http.SendAsync(RawMcp.PostInSession(hosts.FrontEndMcp(), """{"jsonrpc":"2.0","id":4,"method":"ping"}""", sessionId), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, repeated.StatusCode);
        var error = await RawMcp.ReadMessageAsync(repeated, Ct);
        Assert.Equal((-32600, "Bad Request: send one Mcp-Session-Id header, not 2."), (error.ErrorCode(), error.ErrorMessage()));
        Assert.Equal(HttpStatusCode.NotFound, huge.StatusCode);
        Assert.Equal(-32001, (await RawMcp.ReadMessageAsync(huge, Ct)).ErrorCode());
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
    }

    private async Task AssertOthersServedAsync(bool frontEnd, int calls)
    {
        await using var client = await Deployment.ConnectAsync(frontEnd ? hosts.FrontEndMcp() : hosts.WorkerMcp(), HttpTransportMode.StreamableHttp, Ct);
        for (var i = 0; i < calls; i++)
        {
            var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = $"served {i}" }, cancellationToken: Ct);
            Assert.Equal($"served {i}", echo.Text());
        }
    }

    /// <summary>One front-end and one worker with a short header timeout, so a slowloris test takes seconds.</summary>
    public sealed class Hosts : Deployment
    {
        internal Uri Host(bool frontEnd) => frontEnd ? FrontEnds[0].BaseUri : Workers[0].BaseUri;

        protected override void Configure(Dictionary<string, string> environment)
        {
            environment["McpAspire__Http__RequestHeadersTimeout"] = "00:00:02";
            environment["McpAspire__RateLimiting__Enabled"] = "false";
        }
    }
}
