using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// How MCP clients register: a Client ID Metadata Document fetched and checked (and every way a document is refused),
/// Dynamic Client Registration of public clients (refusals, the per-address limit, expiry of unused registrations).
/// </summary>
[Collection(AuthServerGroup.Name)]
public sealed class ClientRegistrationTests(AuthServerFixture server) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] OtherRedirect = ["http://127.0.0.1:8976/other"];

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly OAuthBrowser _browser = new();
    private DocumentServer _documents = null!;

    public async ValueTask InitializeAsync() => _documents = await DocumentServer.StartAsync(server.Certificates, Ct);

    private OAuthCodeFlow Flow => AuthServerCalls.Flow(server, _http);

    /// <summary>A document that names itself and lists the test's redirect URI, with <paramref name="change"/> applied.</summary>
    private Uri PutDocument(string path, Action<Dictionary<string, object>, Uri>? change = null, string? cacheControl = "max-age=300")
    {
        var url = new Uri(_documents.HttpsBase, path);
        var document = new Dictionary<string, object>
        {
            ["client_id"] = url.AbsoluteUri,
            ["client_name"] = "Metadata document client",
            ["redirect_uris"] = new[] { OAuthCodeFlow.RedirectUri },
            ["grant_types"] = new[] { "authorization_code", "refresh_token" },
            ["token_endpoint_auth_method"] = "none",
        };
        change?.Invoke(document, url);
        return _documents.Put(path, JsonSerializer.Serialize(document), cacheControl);
    }

    [Fact]
    public async Task MetadataDocumentClient_SignsIn_AndItsDocumentIsKeptForItsMaxAge()
    {
        var clientId = PutDocument("/clients/good.json").AbsoluteUri;
        var (verifier, challenge) = OAuthCodeFlow.Pkce();
        var url = Flow.AuthorizeUrl(clientId, server.WorkerResource, "whoami", challenge);

        var first = await _browser.RunAsync(url, "alice", Ct, stopAt: OAuthCodeFlow.RedirectUri);
        var second = await _browser.RunAsync(url, "alice", Ct, stopAt: OAuthCodeFlow.RedirectUri);
        var (status, tokens) = await Flow.ExchangeAsync(clientId, second.Parameter("code")!, verifier, server.WorkerResource, Ct);

        Assert.NotNull(first.Parameter("code"));
        Assert.Equal(200, status);
        Assert.Equal("alice@upstream.test", await AuthServerCalls.WhoAmIAsync(server.WorkerResource, tokens.GetProperty("access_token").GetString()!, Ct));
        Assert.Equal(1, _documents.Fetches["/clients/good.json"]);
        Assert.Single(_browser.ConsentsAnswered);
    }

    [Theory]
    [InlineData("other-client-id", "does not name its own URL as its client_id")]
    [InlineData("too-large", "is larger than 5120 bytes")]
    [InlineData("secret", "contains a client secret")]
    [InlineData("no-redirects", "has no redirect_uris array")]
    [InlineData("confidential", "only public clients")]
    [InlineData("not-json", "is not JSON")]
    [InlineData("missing", "answered 404")]
    public async Task MetadataDocumentThatIsWrong_IsRefusedOnTheServersOwnPage_SayingWhy(string flaw, string reason)
    {
        var url = flaw switch
        {
            "other-client-id" => PutDocument("/bad/other.json", (d, _) => d["client_id"] = "https://elsewhere.example/client.json"),
            "too-large" => PutDocument("/bad/large.json", (d, _) => d["client_name"] = new string('x', 6000)),
            "secret" => PutDocument("/bad/secret.json", (d, _) => d["client_secret"] = "s3cret"),
            "no-redirects" => PutDocument("/bad/no-redirects.json", (d, _) => d.Remove("redirect_uris")),
            "confidential" => PutDocument("/bad/confidential.json", (d, _) => d["token_endpoint_auth_method"] = "client_secret_basic"),
            "not-json" => _documents.Put("/bad/not-json.json", "<html>not a document</html>"),
            _ => new Uri(_documents.HttpsBase, "/bad/missing.json"),
        };

        var result = await AuthorizeWithDocumentAsync(url.AbsoluteUri);

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("invalid_request", result.Error.Error);
        Assert.Contains(reason, result.Error.Description, StringComparison.Ordinal);
        Assert.Empty(_browser.SignInsPosted);
    }

    [Fact]
    public async Task MetadataDocumentAtAPrivateAddress_IsNeverFetched()
    {
        var result = await AuthorizeWithDocumentAsync("https://10.255.255.1/client.json");

        Assert.Equal("invalid_request", result.Error.Error);
        Assert.Contains("is on a host that does not resolve to public addresses only", result.Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetadataDocumentWhoseRedirectIsNotTheRequests_IsRefused()
    {
        var clientId = PutDocument("/clients/other-redirect.json", (d, _) => d["redirect_uris"] = OtherRedirect).AbsoluteUri;

        var result = await AuthorizeWithDocumentAsync(clientId);

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("invalid_request", result.Error.Error);
        Assert.Contains("'redirect_uri'", result.Error.Description, StringComparison.Ordinal);
        Assert.NotEqual(8976, result.Url.Port);
    }

    [Fact]
    public async Task OutsideDevelopment_MetadataDocumentsOverHttpOrOnLoopback_AreRefused()
    {
        var production = await server.OutsideDevelopmentAsync();
        var good = PutDocument("/clients/production.json");

        var overHttp = await AuthorizeWithDocumentAsync(new Uri(_documents.HttpBase, "/clients/production.json").AbsoluteUri, server.ProductionIssuer);
        var onLoopback = await AuthorizeWithDocumentAsync(good.AbsoluteUri, server.ProductionIssuer);

        Assert.False(production.HasExited);
        Assert.Equal("must use https", Reason(overHttp));
        Assert.Contains("is on a host that does not resolve to public addresses only", onLoopback.Error.Description, StringComparison.Ordinal);
        Assert.False(_documents.Fetches.ContainsKey("/clients/production.json"));
    }

    [Theory]
    [InlineData("""{"redirect_uris":["http://example.com/callback"]}""", "invalid_redirect_uri", "uses http on a host that is not loopback")]
    [InlineData("""{"redirect_uris":["javascript:alert(1)"]}""", "invalid_redirect_uri", "uses the scheme 'javascript'")]
    [InlineData("""{"redirect_uris":["https://app.example/cb#fragment"]}""", "invalid_redirect_uri", "has a fragment")]
    [InlineData("""{"client_name":"no redirects"}""", "invalid_redirect_uri", "redirect_uris must be a non-empty array")]
    [InlineData("""{"redirect_uris":["https://app.example/cb"],"grant_types":["client_credentials"]}""", "invalid_client_metadata", "'client_credentials' is not offered")]
    [InlineData("""{"redirect_uris":["https://app.example/cb"],"response_types":["token"]}""", "invalid_client_metadata", "'token' is not offered")]
    [InlineData("""["not","an","object"]""", "invalid_client_metadata", "not a JSON object")]
    [InlineData("""{"redirect_uris":["https://app.example/cb"],"redirect_uris":["https://evil.example/cb"]}""", "invalid_client_metadata", "each member once")]
    [InlineData("""{"redirect_uris":["https://app.example/cb?iss=https://evil.example"]}""", "invalid_redirect_uri", "has an 'iss' query parameter")]
    public async Task DynamicRegistrationThatIsWrong_Gets400WithTheRfc7591Error(string body, string error, string reason)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(server.Issuer, "connect/register"), content, Ct);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, answer.GetProperty("error").GetString());
        Assert.Contains(reason, answer.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DynamicRegistrationAskingForASecret_IsRegisteredAsPublic_AndToldSo()
    {
        using var response = await _http.PostAsJsonAsync(new Uri(server.Issuer, "connect/register"),
            new { redirect_uris = new[] { OAuthCodeFlow.RedirectUri }, token_endpoint_auth_method = "client_secret_post" }, Ct);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("none", answer.GetProperty("token_endpoint_auth_method").GetString());
        Assert.False(answer.TryGetProperty("client_secret", out _));
    }

    [Fact]
    public async Task Registrations_AreLimitedPerClientAddress_AcrossTheServer()
    {
        await server.OutsideDevelopmentAsync();
        HttpResponseMessage? refused = null;
        var registered = 0;
        for (var attempt = 0; attempt <= AuthServerFixture.ProductionRegistrationsPerHour && refused is null; attempt++)
        {
            var response = await _http.PostAsJsonAsync(new Uri(server.ProductionIssuer, "connect/register"), new { redirect_uris = new[] { OAuthCodeFlow.RedirectUri } }, Ct);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                registered++;
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            Assert.InRange(registered, 0, AuthServerFixture.ProductionRegistrationsPerHour);
            Assert.Equal("3600", refused.Headers.RetryAfter?.ToString());
            Assert.Equal("too_many_requests", (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task RegistrationNobodyUses_IsDeletedAfterItsUnusedLifetime()
    {
        await server.OutsideDevelopmentAsync();
        using var response = await _http.PostAsJsonAsync(new Uri(server.ProductionIssuer, "connect/register"), new { redirect_uris = new[] { OAuthCodeFlow.RedirectUri } }, Ct);
        Assert.SkipWhen(response.StatusCode == HttpStatusCode.TooManyRequests, "The per-address limit test took this hour's registrations first.");
        var clientId = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("client_id").GetString()!;
        var flow = new OAuthCodeFlow(server.ProductionIssuer, _http);

        // A made-up code: a registered client is told the code is bad, an unknown one that the client is.
        var (_, known) = await flow.ExchangeAsync(clientId, "made-up-code", "made-up-verifier", null, Ct);
        var (status, gone) = await Until.ValueAsync(() => flow.ExchangeAsync(clientId, "made-up-code", "made-up-verifier", null, Ct),
            answer => answer.Body.GetProperty("error").GetString() != "invalid_grant", answer => answer.Body.ToString(), Ct,
            AuthServerFixture.ProductionUnusedLifetime + TimeSpan.FromSeconds(10));

        Assert.Equal("invalid_grant", known.GetProperty("error").GetString());
        Assert.Equal((401, "invalid_client"), (status, gone.GetProperty("error").GetString()));
    }

    private async Task<BrowserResult> AuthorizeWithDocumentAsync(string clientId, Uri? issuer = null)
    {
        var (_, challenge) = OAuthCodeFlow.Pkce();
        var flow = issuer is null ? Flow : new OAuthCodeFlow(issuer, _http);
        return await _browser.RunAsync(flow.AuthorizeUrl(clientId, server.WorkerResource, "echo", challenge), "alice", Ct, stopAt: OAuthCodeFlow.RedirectUri);
    }

    private static string? Reason(BrowserResult result) =>
        result.Error.Description is { } description && description.IndexOf(" must ", StringComparison.Ordinal) is var at and >= 0 ? description[(at + 1)..].TrimEnd('.') : null;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _browser.Dispose();
        await _documents.DisposeAsync();
    }
}
