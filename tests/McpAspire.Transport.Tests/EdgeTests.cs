using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Transport.Tests;

/// <summary>The edge before authentication: HTTPS and HSTS, forwarded headers from the known proxy only, the network allow-list, the body size limit and the origin allow-list with CORS.</summary>
[Collection(SecuredHostsGroup.Name)]
public sealed class EdgeTests(HostsFixture developmentHosts, SecuredHostsFixture hosts) : SecuredHostsTests(developmentHosts, hosts)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PlainHttp_PostIsRefused_GetIsRedirected_AndHttpsSendsHsts(bool frontEnd)
    {
        using var http = Hosts.Client();

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
        using var http = Hosts.Client();
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
        using var http = Hosts.Client();
        async Task<HttpResponseMessage> SendAsync(bool ipv6, string? forwardedFor, string? traceId = null)
        {
            using var request = Initialize(Https(true, ipv6: ipv6), SecuredHostsFixture.FullKey);
            if (forwardedFor is not null)
            {
                request.Headers.Add("X-Forwarded-For", forwardedFor);
            }

            if (traceId is not null)
            {
                request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
            }

            return await http.SendAsync(request, Ct);
        }

        using var ipv6 = await SendAsync(ipv6: true, null);
        using var proxiedAllowed = await SendAsync(ipv6: true, "10.1.2.3");
        using var proxiedRefused = await SendAsync(ipv6: true, "192.0.2.7");
        var forgedTrace = ActivityTraceId.CreateRandom().ToString();
        using var forged = await SendAsync(ipv6: false, "192.0.2.99", forgedTrace);

        Assert.Equal(HttpStatusCode.OK, ipv6.StatusCode);
        Assert.Equal(HttpStatusCode.OK, proxiedAllowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, proxiedRefused.StatusCode);
        Assert.Equal("Forbidden: this client's network is not allowed to call this server.", (await ErrorOf(proxiedRefused)).ErrorMessage());
        Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        await Until.TrueAsync(() => Hosts.AccessLog(true).Contains("\"ClientIp\":\"10.1.2.3\"", StringComparison.Ordinal) &&
            Hosts.AccessLog(true).Contains("\"ClientIp\":\"192.0.2.7\"", StringComparison.Ordinal), () => "the proxied clients in the access log", Ct);
        // The forged request's own line (found by its trace) names the address it came from, not the one it claimed.
        var forgedLine = await Until.ValueAsync(() => Task.FromResult(Hosts.AccessLog(true).Split('\n').FirstOrDefault(line => line.Contains($"\"TraceId\":\"{forgedTrace}\"", StringComparison.Ordinal))),
            line => line is not null, _ => "the forged request's line in the access log", Ct);
        Assert.Contains("\"ClientIp\":\"127.0.0.1\"", forgedLine, StringComparison.Ordinal);
        Assert.DoesNotContain("192.0.2.99", Hosts.AccessLog(true), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OversizeBody_Gets413_AndStoresNothing(bool chunked)
    {
        using var http = Hosts.Client();
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
        Assert.Contains($"No note named '{name}'", get.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Origins_AllowListedGetCors_OthersGet403_PreflightAnswered(bool frontEnd)
    {
        using var http = Hosts.Client();
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
}
