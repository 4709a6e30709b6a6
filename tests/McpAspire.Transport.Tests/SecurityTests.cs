using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Transport.Tests;

/// <summary>
/// The security checklist of the remote hosts, each item's allowed and refused case over a real socket, against both
/// hosts running as in production (<see cref="SecuredHostsFixture"/>).
/// </summary>
public sealed class SecurityTests(HostsFixture developmentHosts, SecuredHostsFixture hosts) : IClassFixture<SecuredHostsFixture>
{
    private const string ApiKeyHeader = "X-API-Key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Uri Https(bool frontEnd, string path = "/mcp", bool ipv6 = false) =>
        new(SecuredHostsFixture.Address(hosts.Host(frontEnd), "https", ipv6), path);

    private Uri Http(bool frontEnd, string path = "/mcp", bool ipv6 = false) =>
        new(SecuredHostsFixture.Address(hosts.Host(frontEnd), "http", ipv6), path);

    private static HttpRequestMessage Initialize(Uri uri, string? apiKey = null, string? bearer = null)
    {
        var request = RawMcp.Post(uri, RawMcp.Initialize);
        if (apiKey is not null)
        {
            request.Headers.Add(ApiKeyHeader, apiKey);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NoCredentials_Get401WithAChallengeThatPointsToAnonymousMetadata(bool frontEnd)
    {
        using var http = hosts.Client();
        using var refused = await http.SendAsync(Initialize(Https(frontEnd)), Ct);

        var metadataUrl = new Uri(Https(frontEnd), "/.well-known/oauth-protected-resource/mcp");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal($"Bearer resource_metadata=\"{metadataUrl}\"", refused.Headers.WwwAuthenticate.ToString());
        var error = await ErrorOf(refused);
        Assert.Equal(-32031, error.ErrorCode());
        Assert.StartsWith("Unauthorized: Authentication required: send an API key", error.ErrorMessage(), StringComparison.Ordinal);

        using var metadata = await http.GetAsync(metadataUrl, Ct);
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        var document = JsonDocument.Parse(await metadata.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(new Uri(Https(frontEnd), "/mcp").ToString(), document.GetProperty("resource").GetString());
        Assert.Equal([hosts.Issuer.Authority], document.GetProperty("authorization_servers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["header"], document.GetProperty("bearer_methods_supported").EnumerateArray().Select(e => e.GetString()));
        var scopes = document.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("*", scopes);
        Assert.Contains("echo", scopes);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OnlyHealthAndMetadata_AreAnonymous(bool frontEnd)
    {
        using var http = hosts.Client();

        using var health = await http.GetAsync(Https(frontEnd, "/health"), Ct);
        using var alive = await http.GetAsync(Http(frontEnd, "/alive"), Ct);
        using var other = await http.GetAsync(Https(frontEnd, "/admin"), Ct);
        using var sse = await http.GetAsync(Https(frontEnd, "/sse"), HttpCompletionOption.ResponseHeadersRead, Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, sse.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WrongApiKey_Gets401InvalidToken(bool asBearer)
    {
        using var http = hosts.Client();
        const string wrong = "mcpaspire-wrong-key-canary-51f2";
        using var refused = await http.SendAsync(Initialize(Https(false), asBearer ? null : wrong, asBearer ? wrong : null), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"The API key is not valid.\", resource_metadata=\"https://",
            refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("Unauthorized: The API key is not valid.", (await ErrorOf(refused)).ErrorMessage());
    }

    [Theory]
    [InlineData("expired", "The access token has expired.")]
    [InlineData("audience", "The access token was issued for another audience.")]
    [InlineData("signature", "The access token's signature is not valid.")]
    public async Task BadJwt_Gets401SayingWhy(string flaw, string description)
    {
        var token = flaw switch
        {
            "expired" => hosts.Issuer.Mint("alice", "*", expiresIn: TimeSpan.FromMinutes(-5)),
            "audience" => hosts.Issuer.Mint("alice", "*", audience: "https://another.example.test"),
            _ => hosts.Issuer.Mint("alice", "*", signedByAnotherKey: true),
        };
        using var http = hosts.Client();
        using var refused = await http.SendAsync(Initialize(Https(false), bearer: token), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith($"Bearer error=\"invalid_token\", error_description=\"{description}\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal($"Unauthorized: {description}", (await ErrorOf(refused)).ErrorMessage());
    }

    [Theory]
    [InlineData(TransportKind.LegacySse, "key")]
    [InlineData(TransportKind.LegacySse, "jwt")]
    [InlineData(TransportKind.StatefulHttp, "key")]
    [InlineData(TransportKind.StatefulHttp, "bearer-key")]
    [InlineData(TransportKind.StatelessHttp, "jwt")]
    [InlineData(TransportKind.StatelessHttp, "key")]
    public async Task SdkClient_ConnectsWithAKeyOrAJwt_AsThatPrincipal(TransportKind kind, string credential)
    {
        var headers = credential switch
        {
            "key" => new Dictionary<string, string> { [ApiKeyHeader] = SecuredHostsFixture.FullKey },
            "bearer-key" => new Dictionary<string, string> { ["Authorization"] = $"Bearer {SecuredHostsFixture.FullKey}" },
            _ => new Dictionary<string, string> { ["Authorization"] = $"Bearer {hosts.Issuer.Mint("alice", "*")}" },
        };
        await using var client = await ConnectAsync(kind, headers);

        var whoami = await client.CallToolAsync("whoami", cancellationToken: Ct);
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "over TLS" }, cancellationToken: Ct);

        Assert.Equal(credential == "jwt" ? "alice" : "apikey:full", whoami.StructuredContent!.Value.GetProperty("principal").GetString());
        Assert.Equal("over TLS", echo.Text());
    }

    [Theory]
    [InlineData("key")]
    [InlineData("jwt")]
    public async Task ScopedPrincipal_ListsOnlyItsTools_OnEveryTransport(string credential)
    {
        var headers = credential == "key"
            ? new Dictionary<string, string> { [ApiKeyHeader] = SecuredHostsFixture.EchoOnlyKey }
            : new Dictionary<string, string> { ["Authorization"] = $"Bearer {hosts.Issuer.Mint("bob", "echo whoami")}" };
        foreach (var kind in new[] { TransportKind.LegacySse, TransportKind.StatefulHttp, TransportKind.StatelessHttp })
        {
            await using var client = await ConnectAsync(kind, headers);
            var tools = await client.ListToolsAsync(cancellationToken: Ct);
            Assert.Equal(["echo", "whoami"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task ToolOutsideTheScopes_Gets403InsufficientScope_AndInScopeToolsWork()
    {
        using var http = hosts.Client();
        using var refusedCall = RawMcp.Post(Https(false), RawMcp.ToolCall(7, "add", """{"a":1,"b":2}"""));
        refusedCall.Headers.Add(ApiKeyHeader, SecuredHostsFixture.EchoOnlyKey);
        using var allowedCall = RawMcp.Post(Https(false), RawMcp.ToolCall(8, "echo", """{"message":"in scope"}"""));
        allowedCall.Headers.Add(ApiKeyHeader, SecuredHostsFixture.EchoOnlyKey);

        // Routing ignores case, so the edge must too: /MCP is the same endpoint.
        using var upperCaseCall = RawMcp.Post(Https(false, "/MCP"), RawMcp.ToolCall(9, "add", """{"a":1,"b":2}"""));
        upperCaseCall.Headers.Add(ApiKeyHeader, SecuredHostsFixture.EchoOnlyKey);
        // The SDK reads past a byte order mark, so the edge must see the call behind one too.
        using var bomCall = RawMcp.Post(Https(false), [.. "\uFEFF"u8, .. System.Text.Encoding.UTF8.GetBytes(RawMcp.ToolCall(10, "add", """{"a":1,"b":2}"""))]);
        bomCall.Headers.Add(ApiKeyHeader, SecuredHostsFixture.EchoOnlyKey);

        using var refused = await http.SendAsync(refusedCall, Ct);
        using var allowed = await http.SendAsync(allowedCall, Ct);
        using var upperCase = await http.SendAsync(upperCaseCall, Ct);
        using var bom = await http.SendAsync(bomCall, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith("Bearer error=\"insufficient_scope\", scope=\"add\",", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var error = await ErrorOf(refused);
        Assert.Equal(-32032, error.ErrorCode());
        Assert.Equal(7, error.GetProperty("id").GetInt32());
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("in scope", (await RawMcp.ReadMessageAsync(allowed, Ct)).GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, upperCase.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bom.StatusCode);
        Assert.Equal(10, (await ErrorOf(bom)).GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task ToolCalls_AreRateLimitedPerAuthenticatedPrincipal()
    {
        using var http = hosts.Client();
        async Task<HttpResponseMessage> AddAsync(int id, string principal)
        {
            using var call = RawMcp.Post(Https(false), RawMcp.ToolCall(id, "add", """{"a":1,"b":2}"""));
            call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", hosts.Issuer.Mint(principal, "*"));
            return await http.SendAsync(call, Ct);
        }

        var first = $"limited-{Guid.NewGuid():N}";
        for (var i = 0; i < SecuredHostsFixture.AddLimit; i++)
        {
            using var allowed = await AddAsync(i, first);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var limited = await AddAsync(10, first);
        using var other = await AddAsync(11, $"other-{Guid.NewGuid():N}");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(-32029, (await ErrorOf(limited)).ErrorCode());
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PlainHttp_PostIsRefused_GetIsRedirected_AndHttpsSendsHsts(bool frontEnd)
    {
        using var http = hosts.Client();

        using var post = await http.SendAsync(Initialize(Http(frontEnd), SecuredHostsFixture.FullKey), Ct);
        using var get = await http.GetAsync(Http(frontEnd, "/sse"), Ct);
        using var secure = await http.SendAsync(Initialize(Https(frontEnd), SecuredHostsFixture.FullKey), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        var error = await ErrorOf(post);
        Assert.Equal(-32032, error.ErrorCode());
        Assert.StartsWith("HTTPS required", error.ErrorMessage(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PermanentRedirect, get.StatusCode);
        Assert.Equal(Https(frontEnd, "/sse"), get.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Equal("max-age=31536000", secure.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task ForwardedProto_IsBelievedFromTheKnownProxyOnly()
    {
        using var http = hosts.Client();
        using var viaProxy = Initialize(Http(false, ipv6: true), SecuredHostsFixture.FullKey);
        viaProxy.Headers.Add("X-Forwarded-Proto", "https");
        using var forged = Initialize(Http(false), SecuredHostsFixture.FullKey);
        forged.Headers.Add("X-Forwarded-Proto", "https");

        using var proxied = await http.SendAsync(viaProxy, Ct);
        using var refused = await http.SendAsync(forged, Ct);

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task NetworkAllowList_ChecksTheClientAddress_AndForwardedForOnlyFromTheKnownProxy()
    {
        using var http = hosts.Client();
        async Task<HttpResponseMessage> SendAsync(bool ipv6, string? forwardedFor)
        {
            using var request = Initialize(Https(true, ipv6: ipv6), SecuredHostsFixture.FullKey);
            if (forwardedFor is not null)
            {
                request.Headers.Add("X-Forwarded-For", forwardedFor);
            }

            return await http.SendAsync(request, Ct);
        }

        using var ipv6 = await SendAsync(ipv6: true, null);
        using var proxiedAllowed = await SendAsync(ipv6: true, "10.1.2.3");
        using var proxiedRefused = await SendAsync(ipv6: true, "192.0.2.7");
        using var forged = await SendAsync(ipv6: false, "192.0.2.99");

        Assert.Equal(HttpStatusCode.OK, ipv6.StatusCode);
        Assert.Equal(HttpStatusCode.OK, proxiedAllowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, proxiedRefused.StatusCode);
        Assert.Equal("Forbidden: this client's network is not allowed to call this server.", (await ErrorOf(proxiedRefused)).ErrorMessage());
        Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        await Until.TrueAsync(() => hosts.AccessLog(true).Contains("\"ClientIp\":\"10.1.2.3\"", StringComparison.Ordinal) &&
            hosts.AccessLog(true).Contains("\"ClientIp\":\"192.0.2.7\"", StringComparison.Ordinal), () => "the proxied clients in the access log", Ct);
        Assert.DoesNotContain("192.0.2.99", hosts.AccessLog(true), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OversizeBody_Gets413_AndStoresNothing(bool chunked)
    {
        using var http = hosts.Client();
        var name = $"oversize-{chunked}-{Guid.NewGuid():N}";
        var body = RawMcp.ToolCall(1, "notes_put", JsonSerializer.Serialize(new { name, content = new string('x', (int)SecuredHostsFixture.MaxRequestBytes) }));
        using var request = RawMcp.Post(Https(false), body);
        if (chunked)
        {
            request.Content = new UnknownLengthContent(Encoding.UTF8.GetBytes(body));
        }

        request.Headers.Add(ApiKeyHeader, SecuredHostsFixture.FullKey);
        using var refused = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        var error = await ErrorOf(refused);
        Assert.Equal(-32600, error.ErrorCode());
        Assert.Contains("too large", error.ErrorMessage(), StringComparison.OrdinalIgnoreCase);
        await using var client = await ConnectAsync(TransportKind.StatelessHttp, new Dictionary<string, string> { [ApiKeyHeader] = SecuredHostsFixture.FullKey });
        var get = await client.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = name }, cancellationToken: Ct);
        Assert.True(get.IsError);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Origins_AllowListedGetCors_OthersGet403_PreflightAnswered(bool frontEnd)
    {
        using var http = hosts.Client();
        using var evil = Initialize(Https(frontEnd), SecuredHostsFixture.FullKey);
        evil.Headers.Add("Origin", "https://evil.example.com");
        using var app = Initialize(Https(frontEnd), SecuredHostsFixture.FullKey);
        app.Headers.Add("Origin", SecuredHostsFixture.AllowedOrigin);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, Https(frontEnd));
        preflight.Headers.Add("Origin", SecuredHostsFixture.AllowedOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key,mcp-session-id,mcp-protocol-version");
        using var evilPreflight = new HttpRequestMessage(HttpMethod.Options, Https(frontEnd));
        evilPreflight.Headers.Add("Origin", "http://evil.example.com");
        evilPreflight.Headers.Add("Access-Control-Request-Method", "POST");

        using var refused = await http.SendAsync(evil, Ct);
        using var allowed = await http.SendAsync(app, Ct);
        using var answered = await http.SendAsync(preflight, Ct);
        using var refusedPreflight = await http.SendAsync(evilPreflight, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith("Forbidden: requests from this Origin are not allowed", (await ErrorOf(refused)).ErrorMessage(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(SecuredHostsFixture.AllowedOrigin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Mcp-Session-Id", allowed.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);
        Assert.Equal(SecuredHostsFixture.AllowedOrigin, answered.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", answered.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.Contains("mcp-session-id", answered.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Forbidden, refusedPreflight.StatusCode);
    }

    [Fact]
    public async Task Sessions_BelongToTheirPrincipal()
    {
        using var alice = hosts.Client();
        alice.DefaultRequestHeaders.Add(ApiKeyHeader, SecuredHostsFixture.FullKey);
        using var bob = hosts.Client();
        bob.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hosts.Issuer.Mint("bob", "*"));
        var mcp = Https(true);
        var sessionId = await RawMcp.OpenSessionAsync(alice, mcp, Ct);
        await using var legacy = await LegacySseConnection.OpenAsync(alice, Https(true, "/"), Ct);

        using var streamable = await bob.SendAsync(RawMcp.PostInSession(mcp, """{"jsonrpc":"2.0","id":2,"method":"ping"}""", sessionId), Ct);
        using var legacyPost = await bob.SendAsync(RawMcp.Post(legacy.MessageEndpoint, """{"jsonrpc":"2.0","id":3,"method":"ping"}"""), Ct);
        using var owner = await alice.SendAsync(RawMcp.PostInSession(mcp, """{"jsonrpc":"2.0","id":4,"method":"ping"}""", sessionId), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, streamable.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, legacyPost.StatusCode);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }

    [Fact]
    public async Task AccessLog_HasALinePerRequest_AndNoSecret()
    {
        using var http = hosts.Client();
        const string wrongKey = "mcpaspire-wrong-key-canary-0a7c";
        const string argument = "argument-canary-3e9d";
        var expired = hosts.Issuer.Mint("carol", "*", expiresIn: TimeSpan.FromMinutes(-5));
        var valid = hosts.Issuer.Mint("carol", "*");
        using (await http.SendAsync(Initialize(Https(false), wrongKey), Ct)) { }
        using (await http.SendAsync(Initialize(Https(false), bearer: expired), Ct)) { }
        using (var call = RawMcp.Post(Https(false), RawMcp.ToolCall(5, "echo", $$"""{"message":"{{argument}}"}""")))
        {
            call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", valid);
            using var answered = await http.SendAsync(call, Ct);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        using (var keyed = Initialize(Https(false), SecuredHostsFixture.FullKey))
        {
            (await http.SendAsync(keyed, Ct)).Dispose();
        }

        await Until.TrueAsync(() =>
        {
            var log = hosts.AccessLog(false);
            return log.Contains("\"Refusal\":\"invalid_api_key\"", StringComparison.Ordinal) &&
                log.Contains("\"Refusal\":\"token_expired\"", StringComparison.Ordinal) &&
                log.Contains("\"Principal\":\"carol\"", StringComparison.Ordinal) &&
                log.Contains("\"Principal\":\"apikey:full\"", StringComparison.Ordinal);
        }, () => $"the requests in the access log:{Environment.NewLine}{hosts.AccessLog(false)}", Ct);

        var lines = hosts.AccessLog(false).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var echo = lines.Single(l => l.TryGetProperty("Principal", out var p) && p.GetString() == "carol");
        Assert.Equal("tools/call", echo.GetProperty("McpMethod").GetString());
        Assert.Equal("echo", echo.GetProperty("Tool").GetString());
        Assert.Equal("streamable-http", echo.GetProperty("Transport").GetString());
        Assert.Equal(200, echo.GetProperty("StatusCode").GetInt32());
        Assert.Equal("127.0.0.1", echo.GetProperty("ClientIp").GetString());
        Assert.Matches("^[0-9a-f]{32}$", echo.GetProperty("TraceId").GetString());
        Assert.True(echo.TryGetProperty("@t", out _));
        Assert.True(echo.GetProperty("DurationMs").GetDouble() > 0);
        var text = hosts.AccessLog(false) + hosts.AccessLog(true);
        foreach (var secret in new[] { wrongKey, SecuredHostsFixture.FullKey, SecuredHostsFixture.EchoOnlyKey, argument, expired.Split('.')[2], valid.Split('.')[2], "sessionId=" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("streamable-http", "key")]
    [InlineData("sse", "jwt")]
    public async Task TypeScriptClient_ConnectsWithAKeyOrAJwt(string transport, string credential)
    {
        var headers = credential == "key"
            ? $$"""{"{{ApiKeyHeader}}":"{{SecuredHostsFixture.FullKey}}"}"""
            : $$"""{"Authorization":"Bearer {{hosts.Issuer.Mint("ts-user", "*")}}"}""";
        var url = transport == "sse" ? Https(true, "/sse") : Https(false);
        var environment = new Dictionary<string, string> { ["MCP_HEADERS"] = headers, ["NODE_EXTRA_CA_CERTS"] = hosts.Certificates.AuthorityPemPath };

        var run = await NodeTooling.RunNodeAsync(["ts-client.mjs", transport, url.ToString()], TimeSpan.FromSeconds(60), Ct, environment);

        Assert.True(run.ExitCode == 0, run.Output);
        var report = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(credential == "key" ? "apikey:full" : "ts-user", report.GetProperty("whoami").GetProperty("principal").GetString());
        Assert.Equal("hello from TypeScript", report.GetProperty("echo").GetString());
    }

    [Fact]
    public async Task Development_LoopbackNeedsNoCredentials_ButAWrongKeyIsStill401()
    {
        using var http = new HttpClient();
        using var anonymous = await http.SendAsync(Initialize(new Uri(developmentHosts.WorkerUri, "/mcp")), Ct);
        using var wrong = await http.SendAsync(Initialize(new Uri(developmentHosts.WorkerUri, "/mcp"), "not-a-key"), Ct);

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    private async Task<McpClient> ConnectAsync(TransportKind kind, Dictionary<string, string> headers)
    {
        var (endpoint, mode) = kind switch
        {
            TransportKind.LegacySse => (Https(true, "/sse"), HttpTransportMode.Sse),
            TransportKind.StatefulHttp => (Https(true), HttpTransportMode.StreamableHttp),
            _ => (Https(false), HttpTransportMode.StreamableHttp),
        };
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = mode, AdditionalHeaders = headers },
            hosts.Client(),
            ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = Clients.ClientName, Version = "1.0.0" } }, cancellationToken: Ct);
    }

    /// <summary>A body sent chunked, with no Content-Length, as a streaming client sends it.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
