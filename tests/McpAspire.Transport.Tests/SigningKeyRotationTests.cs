using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// The authorization server's signing keys rotate on their own: a successor is published before it signs, then signs,
/// while its predecessor stays published for the tokens it signed. Seconds instead of days here.
/// </summary>
public sealed class SigningKeyRotationTests : IAsyncLifetime
{
    private const string ClientId = "rotation-test";
    private const string Resource = "https://mcp.example.test/mcp";

    // Long enough that a sign-in slowed by a loaded machine still starts under one key and sees its successor sign.
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PublishAhead = TimeSpan.FromSeconds(40);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly GarnetRedisServer _redis = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly int _port = LoopbackPort.Free();
    private HostProcess _server = null!;

    private Uri Issuer => new($"http://127.0.0.1:{_port}/");

    public async ValueTask InitializeAsync()
    {
        await _redis.InitializeAsync();
        const string Section = "McpAspire__AuthServer__";
        _server = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.AuthServer"), new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = _redis.ConnectionString,
            [Section + "Issuer"] = Issuer.AbsoluteUri,
            [Section + "Resources__0"] = Resource,
            [Section + "Users__alice__Name"] = "Alice",
            [Section + $"Clients__{ClientId}__RedirectUris__0"] = OAuthCodeFlow.RedirectUri,
            [Section + $"Clients__{ClientId}__RequireConsent"] = "false",
            [Section + "SigningKeys__Lifetime"] = Lifetime.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            [Section + "SigningKeys__PublishAhead"] = PublishAhead.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            [Section + "SigningKeys__RefreshInterval"] = "00:00:01",
        }, Ct, "--urls", Issuer.AbsoluteUri);
    }

    [Fact]
    public async Task Successor_IsPublishedBeforeItSigns_ThenSigns_WhileThePredecessorStaysPublished()
    {
        var flow = new OAuthCodeFlow(Issuer, _http);
        using var browser = new OAuthBrowser();
        var (verifier, challenge) = OAuthCodeFlow.Pkce();
        var callback = await browser.RunAsync(flow.AuthorizeUrl(ClientId, Resource, "offline_access", challenge), "alice", Ct, stopAt: OAuthCodeFlow.RedirectUri);
        var (_, tokens) = await flow.ExchangeAsync(ClientId, callback.Parameter("code")!, verifier, Resource, Ct);
        var first = KeyIdOf(tokens);

        // Whenever it is seen, the successor is published before its certificate's NotBefore: before it signs.
        var published = await Until.ValueAsync(PublishedAsync, keys => keys.Count == 2, keys => string.Join(", ", keys.Keys), Ct, Lifetime + TimeSpan.FromSeconds(10));
        var seenAt = DateTimeOffset.UtcNow;
        var (successor, startsSigning) = published.Single(key => key.Key != first);

        // Tokens are signed by the first key until the successor's NotBefore, then by the successor.
        var signed = new List<(string KeyId, DateTimeOffset IssuedAt)>();
        await Until.ValueAsync(async () =>
        {
            tokens = await RefreshAsync(flow, tokens);
            signed.Add((KeyIdOf(tokens), IssuedAt(tokens)));
            return signed[^1].KeyId;
        }, keyId => keyId == successor, keyId => keyId, Ct, Lifetime + TimeSpan.FromSeconds(10));

        // Keys are numbered in the order they are made: the successor is the next one (the first is usually number 1,
        // unless signing in outlasted its lifetime).
        Assert.Equal(KeyNumber(first) + 1, KeyNumber(successor));
        Assert.True(seenAt < startsSigning, $"the successor was first seen at {seenAt:O}, after it started signing at {startsSigning:O}");
        Assert.All(signed, token => Assert.True(token.KeyId == first || token.IssuedAt >= startsSigning.AddSeconds(-1),
            $"{token.KeyId} signed a token at {token.IssuedAt:O}, before its NotBefore {startsSigning:O}"));
        Assert.Contains(first, (await PublishedAsync()).Keys);
    }

    private static async Task<JsonElement> RefreshAsync(OAuthCodeFlow flow, JsonElement tokens)
    {
        var (status, refreshed) = await flow.RefreshAsync(ClientId, tokens.GetProperty("refresh_token").GetString()!, Ct);
        Assert.True(status == 200, refreshed.ToString());
        return refreshed;
    }

    /// <summary>The published keys, each with the moment it starts signing (its certificate's NotBefore, from <c>x5c</c>).</summary>
    private async Task<Dictionary<string, DateTimeOffset>> PublishedAsync() =>
        (await _http.GetFromJsonAsync<JsonElement>(new Uri(Issuer, ".well-known/jwks"), Ct)).GetProperty("keys").EnumerateArray().ToDictionary(
            key => key.GetProperty("kid").GetString()!,
            key => new DateTimeOffset(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(key.GetProperty("x5c")[0].GetString()!)).NotBefore.ToUniversalTime()));

    private static string KeyIdOf(JsonElement tokens) => JwtParts.Header(tokens.GetProperty("access_token").GetString()!).GetProperty("kid").GetString()!;

    /// <summary>The sequence number in a key id (<c>mcpaspire-{n}-{suffix}</c>).</summary>
    private static int KeyNumber(string keyId)
    {
        Assert.StartsWith("mcpaspire-", keyId, StringComparison.Ordinal);
        return int.Parse(keyId.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static DateTimeOffset IssuedAt(JsonElement tokens) =>
        DateTimeOffset.FromUnixTimeSeconds(JwtParts.Payload(tokens.GetProperty("access_token").GetString()!).GetProperty("iat").GetInt64());

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _redis.DisposeAsync();
        _http.Dispose();
    }
}
