using System.Net.Http.Json;
using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// The authorization server as MCP clients meet it: its metadata, a real client signing in through the real upstream
/// provider, and its state shared by its replicas and kept across their restarts.
/// </summary>
[Collection(AuthServerGroup.Name)]
public sealed class AuthorizationServerTests(AuthServerFixture server) : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly OAuthBrowser _browser = new();

    [Fact]
    public async Task Metadata_OffersWhatMcpClientsNeed_AtBothWellKnownAddresses()
    {
        var oauth = await _http.GetFromJsonAsync<JsonElement>(new Uri(server.Issuer, ".well-known/oauth-authorization-server"), Ct);
        var openId = await _http.GetFromJsonAsync<JsonElement>(new Uri(server.Issuer, ".well-known/openid-configuration"), Ct);

        Assert.Equal(server.Issuer.AbsoluteUri, oauth.GetProperty("issuer").GetString());
        Assert.Equal(server.Issuer.AbsoluteUri, openId.GetProperty("issuer").GetString());
        Assert.Equal(["S256"], oauth.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["code"], oauth.GetProperty("response_types_supported").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("none", oauth.GetProperty("token_endpoint_auth_methods_supported")[0].GetString());
        Assert.True(oauth.GetProperty("client_id_metadata_document_supported").GetBoolean());
        Assert.True(oauth.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.Equal(new Uri(server.Issuer, "connect/register").AbsoluteUri, oauth.GetProperty("registration_endpoint").GetString());
        Assert.Contains("offline_access", oauth.GetProperty("scopes_supported").EnumerateArray().Select(s => s.GetString()));
        var keys = await _http.GetFromJsonAsync<JsonElement>(new Uri(oauth.GetProperty("jwks_uri").GetString()!), Ct);
        Assert.All(keys.GetProperty("keys").EnumerateArray(), key => Assert.Equal("RSA", key.GetProperty("kty").GetString()));
    }

    [Fact]
    public async Task TypeScriptClient_SignsInThroughTheUpstreamProvider_AsTheUpstreamsUser()
    {
        var result = await TypeScriptOAuthClient.RunAsync("streamable-http", new Uri(server.WorkerResource), "dcr", _browser, "alice", [new { name = "whoami" }], Ct);

        Assert.Equal("alice@upstream.test", result.GetProperty("results")[0].GetProperty("principal").GetString());
        // The upstream's sign-in form (its own page, on its own port) and this server's consent page.
        Assert.Equal(server.Upstream.Issuer.Port, Assert.Single(_browser.SignInsPosted).Port);
        Assert.Single(_browser.ConsentsAnswered);
    }

    [Fact]
    public async Task CodeIssuedByOneReplica_IsRedeemedByTheOther()
    {
        var first = AuthServerCalls.Flow(server, _http, replica: 0);
        var clientId = await first.RegisterAsync(Ct);
        var (verifier, challenge) = OAuthCodeFlow.Pkce();
        var callback = await _browser.RunAsync(first.AuthorizeUrl(clientId, server.WorkerResource, "whoami", challenge), "alice", Ct, stopAt: OAuthCodeFlow.RedirectUri);

        var (status, tokens) = await AuthServerCalls.Flow(server, _http, replica: 1).ExchangeAsync(clientId, callback.Parameter("code")!, verifier, server.WorkerResource, Ct);

        Assert.True(status == 200, tokens.ToString());
        Assert.Equal(server.Issuer.AbsoluteUri, callback.Parameter("iss"));
        Assert.Equal("alice@upstream.test", await AuthServerCalls.WhoAmIAsync(server.WorkerResource, tokens.GetProperty("access_token").GetString()!, Ct));
    }

    [Fact]
    public async Task BothReplicasRestarted_TokensKeysAndGrantsIssuedBeforeStillHold()
    {
        var flow = AuthServerCalls.Flow(server, _http);
        var before = await flow.SignInAsync(_browser, "bob", server.WorkerResource, "whoami", Ct);
        var clientId = JwtParts.Payload(before.GetProperty("access_token").GetString()!).GetProperty("client_id").GetString()!;
        var keysBefore = await KeyIdsAsync();

        Assert.Equal(0, await server.StopReplicaAsync(0));
        Assert.Equal(0, await server.StopReplicaAsync(1));
        await Task.WhenAll(server.StartReplicaAsync(0, Ct), server.StartReplicaAsync(1, Ct));

        Assert.Equal(keysBefore, await KeyIdsAsync());
        Assert.Equal("bob@upstream.test", await AuthServerCalls.WhoAmIAsync(server.WorkerResource, before.GetProperty("access_token").GetString()!, Ct));
        var (status, refreshed) = await flow.RefreshAsync(clientId, before.GetProperty("refresh_token").GetString()!, Ct);
        Assert.True(status == 200, refreshed.ToString());
        Assert.Equal("bob@upstream.test", await AuthServerCalls.WhoAmIAsync(server.WorkerResource, refreshed.GetProperty("access_token").GetString()!, Ct));
    }

    private async Task<string[]> KeyIdsAsync() =>
        [.. (await _http.GetFromJsonAsync<JsonElement>(new Uri(server.Issuer, ".well-known/jwks"), Ct)).GetProperty("keys").EnumerateArray()
            .Select(key => key.GetProperty("kid").GetString()!).Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        _http.Dispose();
        _browser.Dispose();
    }
}
