using System.Net.Http.Json;
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

    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PublishAhead = TimeSpan.FromSeconds(10);

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
        Assert.StartsWith("mcpaspire-1-", first, StringComparison.Ordinal);

        var published = await Until.ValueAsync(PublishedAsync, keys => keys.Length == 2, keys => string.Join(", ", keys), Ct, PublishAhead + TimeSpan.FromSeconds(10));
        tokens = await RefreshAsync(flow, tokens);
        var signedWhilePublishedAhead = KeyIdOf(tokens);
        var successor = published.Single(key => key != first);

        var rotated = await Until.ValueAsync(async () => tokens = await RefreshAsync(flow, tokens), t => KeyIdOf(t) != first, KeyIdOf, Ct, Lifetime + TimeSpan.FromSeconds(10));

        Assert.Equal(first, signedWhilePublishedAhead);
        Assert.StartsWith("mcpaspire-2-", successor, StringComparison.Ordinal);
        Assert.Equal(successor, KeyIdOf(rotated));
        Assert.Contains(first, await PublishedAsync());
    }

    private static async Task<JsonElement> RefreshAsync(OAuthCodeFlow flow, JsonElement tokens)
    {
        var (status, refreshed) = await flow.RefreshAsync(ClientId, tokens.GetProperty("refresh_token").GetString()!, Ct);
        Assert.True(status == 200, refreshed.ToString());
        return refreshed;
    }

    private async Task<string[]> PublishedAsync() =>
        [.. (await _http.GetFromJsonAsync<JsonElement>(new Uri(Issuer, ".well-known/jwks"), Ct)).GetProperty("keys").EnumerateArray().Select(key => key.GetProperty("kid").GetString()!)];

    private static string KeyIdOf(JsonElement tokens)
    {
        var header = tokens.GetProperty("access_token").GetString()!.Split('.')[0];
        var json = Convert.FromBase64String(header.Replace('-', '+').Replace('_', '/').PadRight(header.Length + (4 - header.Length % 4) % 4, '='));
        return JsonDocument.Parse(json).RootElement.GetProperty("kid").GetString()!;
    }

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
