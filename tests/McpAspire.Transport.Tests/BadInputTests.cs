using System.Net;
using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol.Client;

namespace McpAspire.Transport.Tests;

/// <summary>
/// What the HTTP hosts answer to requests a client should not send: each gets a 4xx with a JSON-RPC error that says
/// what was wrong, and the host serves the next good request.
/// </summary>
public sealed class BadInputTests(HostsFixture hosts) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Uri FrontEndMcp => new(hosts.FrontEndUri, "/mcp");
    private Uri WorkerMcp => new(hosts.WorkerUri, "/mcp");

    public static TheoryData<bool> BothHosts => new(true, false);

    private Uri Mcp(bool frontEnd) => frontEnd ? FrontEndMcp : WorkerMcp;

    [Theory, MemberData(nameof(BothHosts))]
    public async Task MalformedJson_Is400InvalidRequest(bool frontEnd)
    {
        using var response = await _http.SendAsync(RawMcp.Post(Mcp(frontEnd), "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\""), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal(-32600, error.ErrorCode());
        Assert.StartsWith("Bad Request: The POST body did not contain a valid JSON-RPC message", error.ErrorMessage(), StringComparison.Ordinal);
        await AssertStillServesAsync(frontEnd);
    }

    [Theory, MemberData(nameof(BothHosts))]
    public async Task Batch_IsRefusedAs400InvalidRequest(bool frontEnd)
    {
        // JSON-RPC batches were removed from MCP in 2025-06-18.
        using var response = await _http.SendAsync(RawMcp.Post(Mcp(frontEnd), $"[{RawMcp.Initialize}]"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal(-32600, error.ErrorCode());
        Assert.Contains("Expected StartObject token", error.ErrorMessage(), StringComparison.Ordinal);
        await AssertStillServesAsync(frontEnd);
    }

    /// <summary>
    /// A member JSON-RPC does not define is refused on HTTP whatever the body's size and framing: the SDK's reader skips
    /// one only when it holds the whole body at once, so without the edge the same message would pass small and fail large.
    /// </summary>
    [Theory]
    [InlineData(true, 0, false)]
    [InlineData(false, 0, false)]
    [InlineData(false, 100_000, false)]
    [InlineData(false, 0, true)]
    public async Task UnknownMember_Is400InvalidRequest_WhateverTheBodysSize(bool frontEnd, int padding, bool chunked)
    {
        var body = $$"""{"jsonrpc":"2.0","id":5,"method":"ping","params":{"pad":"{{new string('x', padding)}}"},"extra":true}""";
        using var request = RawMcp.Post(Mcp(frontEnd), body);
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal(-32600, error.ErrorCode());
        Assert.Equal("Bad Request: The POST body did not contain a valid JSON-RPC message: 'extra' is not a member of a JSON-RPC message.", error.ErrorMessage());
        await AssertStillServesAsync(frontEnd);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(true, "application/json")]
    [InlineData(false, null)]
    [InlineData(false, "text/html")]
    public async Task AcceptWithoutBothMediaTypes_Is406(bool frontEnd, string? accept)
    {
        using var response = await _http.SendAsync(RawMcp.Post(Mcp(frontEnd), RawMcp.Initialize, accept), Ct);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        var error = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal("Not Acceptable: Client must accept both application/json and text/event-stream", error.ErrorMessage());
        await AssertStillServesAsync(frontEnd);
    }

    [Theory, MemberData(nameof(BothHosts))]
    public async Task NonJsonContentType_Is415(bool frontEnd)
    {
        using var response = await _http.SendAsync(RawMcp.Post(Mcp(frontEnd), RawMcp.Initialize, contentType: "text/plain"), Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertStillServesAsync(frontEnd);
    }

    [Theory, MemberData(nameof(BothHosts))]
    public async Task InitializeWithWrongParamTypes_Is400InvalidParamsNamingTheMember(bool frontEnd)
    {
        const string body = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":5,"capabilities":[],"clientInfo":"x"}}""";

        using var response = await _http.SendAsync(RawMcp.Post(Mcp(frontEnd), body), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
        var error = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal(-32602, error.ErrorCode());
        Assert.Equal("Invalid params: '$.protocolVersion' of initialize has the wrong type or value.", error.ErrorMessage());
        await AssertStillServesAsync(frontEnd);
    }

    [Fact]
    public async Task UnknownSessionId_Is404SessionNotFound()
    {
        using var request = RawMcp.PostInSession(FrontEndMcp, """{"jsonrpc":"2.0","id":7,"method":"tools/list"}""", "no-such-session");

        using var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal(-32001, error.ErrorCode());
        Assert.Equal("Session not found", error.ErrorMessage());
        Assert.Equal(7, error.GetProperty("id").GetInt32());
        await AssertStillServesAsync(frontEnd: true);
    }

    [Fact]
    public async Task SessionIdOnTheStatelessWorker_Is400()
    {
        using var request = RawMcp.Post(WorkerMcp, """{"jsonrpc":"2.0","id":7,"method":"tools/list"}""");
        request.Headers.Add("Mcp-Session-Id", "anything");

        using var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal("Bad Request: The Mcp-Session-Id header is not supported in stateless mode", error.ErrorMessage());
        await AssertStillServesAsync(frontEnd: false);
    }

    [Fact]
    public async Task UnsupportedProtocolVersionHeader_Is400ListingTheSupportedOnes_AndTheSessionSurvives()
    {
        var sessionId = await RawMcp.OpenSessionAsync(_http, FrontEndMcp, Ct);
        using var request = RawMcp.PostInSession(FrontEndMcp, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""", sessionId, "1999-01-01");

        using var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal("Bad Request: The MCP-Protocol-Version header value '1999-01-01' is not supported.", error.ErrorMessage());
        Assert.Contains("2025-11-25", error.GetProperty("error").GetProperty("data").GetProperty("supported").EnumerateArray().Select(v => v.GetString()));

        using var retry = RawMcp.PostInSession(FrontEndMcp, """{"jsonrpc":"2.0","id":3,"method":"tools/list"}""", sessionId);
        using var ok = await _http.SendAsync(retry, Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True((await RawMcp.ReadMessageAsync(ok, Ct)).GetProperty("result").GetProperty("tools").GetArrayLength() > 0);
    }

    [Fact]
    public async Task UnknownMethod_IsMethodNotFoundOnTheSession()
    {
        var sessionId = await RawMcp.OpenSessionAsync(_http, FrontEndMcp, Ct);
        using var request = RawMcp.PostInSession(FrontEndMcp, """{"jsonrpc":"2.0","id":5,"method":"tools/explode"}""", sessionId);

        using var response = await _http.SendAsync(request, Ct);

        var error = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal(-32601, error.ErrorCode());
        Assert.Equal("Method 'tools/explode' is not available.", error.ErrorMessage());
        await AssertStillServesAsync(frontEnd: true);
    }

    [Fact]
    public async Task GetOnTheStatelessWorker_Is405()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, WorkerMcp);
        request.Headers.Add("Accept", "text/event-stream");

        using var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Theory]
    [InlineData("/message")]
    [InlineData("/messages")]
    public async Task LegacyMessageToUnknownSession_Is404SessionNotFound_AsOnStreamableHttp(string path)
    {
        using var response = await _http.SendAsync(RawMcp.Post(new Uri(hosts.FrontEndUri, $"{path}?sessionId=nope"), """{"jsonrpc":"2.0","id":1,"method":"ping"}"""), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal(-32001, error.ErrorCode());
        Assert.Equal("Session not found", error.ErrorMessage());
        Assert.Equal(1, error.GetProperty("id").GetInt32());
        await AssertStillServesAsync(frontEnd: true);
    }

    [Fact]
    public async Task LegacyMalformedBody_Is400ParseError_AndTheStreamKeepsServing()
    {
        await using var sse = await LegacySseConnection.OpenAsync(_http, hosts.FrontEndUri, Ct);
        await sse.PostAsync(RawMcp.Initialize, Ct);
        Assert.Equal(1, (await sse.ReadMessageAsync(Ct)).GetProperty("id").GetInt32());

        using var bad = await _http.SendAsync(RawMcp.Post(sse.MessageEndpoint, "{not json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var error = await RawMcp.ReadMessageAsync(bad, Ct);
        Assert.Equal(-32700, error.ErrorCode());
        Assert.StartsWith("Parse error: the request body is not well-formed JSON: ", error.ErrorMessage(), StringComparison.Ordinal);

        await sse.PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""", Ct);
        await sse.PostAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"after"}}}""", Ct);
        var answer = await sse.ReadMessageAsync(Ct);
        Assert.Equal(2, answer.GetProperty("id").GetInt32());
        Assert.Equal("after", answer.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory, MemberData(nameof(BothHosts))]
    public async Task ForeignHostHeader_Is400_ByDefaultWithoutConfiguration(bool frontEnd)
    {
        // The hosts ship no AllowedHosts setting: the loopback-only default is in code, so it holds wherever they start.
        using var request = RawMcp.Post(Mcp(frontEnd), RawMcp.Initialize);
        request.Headers.Host = "evil.example.com";

        using var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertStillServesAsync(frontEnd);
    }

    private async Task AssertStillServesAsync(bool frontEnd)
    {
        await using var client = await Clients.ConnectAsync(hosts, frontEnd ? TransportKind.StatefulHttp : TransportKind.StatelessHttp, Ct);
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "next" }, cancellationToken: Ct);
        Assert.Equal("next", echo.Text());
    }

    public void Dispose() => _http.Dispose();
}
