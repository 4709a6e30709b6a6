using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Transport.Tests;

/// <summary>What an authenticated caller may do: its tool scopes, its own sessions, and its own rate limit.</summary>
[Collection(SecuredHostsGroup.Name)]
public sealed class AuthorizationTests(HostsFixture developmentHosts, SecuredHostsFixture hosts) : SecuredHostsTests(developmentHosts, hosts)
{
    [Theory]
    [InlineData("key")]
    [InlineData("jwt")]
    public async Task ScopedPrincipal_ListsOnlyItsTools_OnEveryTransport(string credential)
    {
        var headers = credential == "key"
            ? new Dictionary<string, string> { [ApiKeyHeader] = SecuredHostsFixture.EchoOnlyKey }
            : new Dictionary<string, string> { ["Authorization"] = $"Bearer {Hosts.Issuer.Mint("bob", "echo whoami")}" };
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
        using var http = Hosts.Client();
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
        using var http = Hosts.Client();
        async Task<HttpResponseMessage> AddAsync(int id, string principal)
        {
            using var call = RawMcp.Post(Https(false), RawMcp.ToolCall(id, "add", """{"a":1,"b":2}"""));
            call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Hosts.Issuer.Mint(principal, "*"));
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

    [Fact]
    public async Task Sessions_BelongToTheirPrincipal()
    {
        using var alice = Hosts.Client();
        alice.DefaultRequestHeaders.Add(ApiKeyHeader, SecuredHostsFixture.FullKey);
        using var bob = Hosts.Client();
        bob.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Hosts.Issuer.Mint("bob", "*"));
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
}
