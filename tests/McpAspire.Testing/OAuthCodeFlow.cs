using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace McpAspire.Testing;

/// <summary>
/// An OAuth client written out step by step, for tests that look at each step: registration, the authorization
/// request (PKCE S256 unless told otherwise), the code exchange and refresh, against one authorization server.
/// </summary>
public sealed class OAuthCodeFlow(Uri authorizationServer, HttpClient http)
{
    public const string RedirectUri = "http://127.0.0.1:8976/callback";

    private static readonly string[] GrantTypes = ["authorization_code", "refresh_token"];

    public Uri AuthorizationServer { get; } = authorizationServer;

    /// <summary>Registers a public client by Dynamic Client Registration; returns its client id.</summary>
    public async Task<string> RegisterAsync(CancellationToken cancellationToken, string redirectUri = RedirectUri)
    {
        using var response = await http.PostAsJsonAsync(new Uri(AuthorizationServer, "connect/register"), new Dictionary<string, object>
        {
            ["client_name"] = "McpAspire test client",
            ["redirect_uris"] = new[] { redirectUri },
            ["grant_types"] = GrantTypes,
            ["token_endpoint_auth_method"] = "none",
        }, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"registration answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("client_id").GetString()!;
    }

    /// <summary>A PKCE verifier and its S256 challenge.</summary>
    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>The authorization request's URL; a null parameter is left out.</summary>
    public Uri AuthorizeUrl(string clientId, string resource, string scope, string? challenge, string? challengeMethod = "S256", string redirectUri = RedirectUri, string state = "test-state") =>
        new(QueryHelpers.AddQueryString(new Uri(AuthorizationServer, "connect/authorize").AbsoluteUri, new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["scope"] = scope,
            ["resource"] = resource,
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = challenge is null ? null : challengeMethod,
        }.Where(p => p.Value is not null)));

    /// <summary>Exchanges a code; returns the status and the JSON answer.</summary>
    public Task<(int Status, JsonElement Body)> ExchangeAsync(string clientId, string code, string verifier, string? resource, CancellationToken cancellationToken, string redirectUri = RedirectUri) =>
        TokenAsync(new Dictionary<string, string?>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = clientId,
            ["code"] = code,
            ["code_verifier"] = verifier,
            ["redirect_uri"] = redirectUri,
            ["resource"] = resource,
        }, cancellationToken);

    public Task<(int Status, JsonElement Body)> RefreshAsync(string clientId, string refreshToken, CancellationToken cancellationToken, string? resource = null) =>
        TokenAsync(new Dictionary<string, string?>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = clientId,
            ["refresh_token"] = refreshToken,
            ["resource"] = resource,
        }, cancellationToken);

    private async Task<(int Status, JsonElement Body)> TokenAsync(Dictionary<string, string?> form, CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent(form.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!)));
        using var response = await http.PostAsync(new Uri(AuthorizationServer, "connect/token"), content, cancellationToken);
        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone());
    }

    /// <summary>Registers, signs in as <paramref name="user"/> with <paramref name="browser"/>, consents, and exchanges the code: a token response.</summary>
    public async Task<JsonElement> SignInAsync(OAuthBrowser browser, string user, string resource, string scope, CancellationToken cancellationToken)
    {
        var clientId = await RegisterAsync(cancellationToken);
        var (verifier, challenge) = Pkce();
        var callback = await browser.RunAsync(AuthorizeUrl(clientId, resource, scope, challenge), user, cancellationToken, stopAt: RedirectUri);
        Assert.True(callback.Parameter("code") is not null, $"no code: {callback.Url} {callback.Body}");
        var (status, tokens) = await ExchangeAsync(clientId, callback.Parameter("code")!, verifier, resource, cancellationToken);
        Assert.True(status == 200, $"the code exchange answered {status}: {tokens}");
        return tokens;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
