using System.Net;
using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// Each way an authorization can go wrong gets the specification's error, and nothing is issued: PKCE missing or
/// plain, an unregistered redirect, a code used twice or by another client, a refresh token reused, another resource,
/// an expired token, consent declined, the upstream refusing the user.
/// </summary>
[Collection(AuthServerGroup.Name)]
public sealed class AuthorizationRefusalTests(AuthServerFixture server) : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly OAuthBrowser _browser = new();

    private OAuthCodeFlow Flow => AuthServerCalls.Flow(server, _http);

    [Theory]
    [InlineData(null, "code_challenge")]
    [InlineData("plain", "code_challenge_method")]
    public async Task AuthorizationWithoutAnS256Challenge_IsRefused_BeforeAnyoneSignsIn(string? method, string named)
    {
        var clientId = await Flow.RegisterAsync(Ct);
        var (verifier, _) = OAuthCodeFlow.Pkce();

        var result = await _browser.RunAsync(Flow.AuthorizeUrl(clientId, server.WorkerResource, "echo", method is null ? null : verifier, method), "alice", Ct,
            stopAt: OAuthCodeFlow.RedirectUri);

        Assert.Equal("invalid_request", result.Error.Error);
        Assert.Contains($"'{named}'", result.Error.Description, StringComparison.Ordinal);
        Assert.Null(result.Parameter("code"));
        Assert.Empty(_browser.SignInsPosted);
    }

    [Fact]
    public async Task UnregisteredRedirectUri_IsRefusedOnTheServersOwnPage_AndNeverFollowed()
    {
        var clientId = await Flow.RegisterAsync(Ct);
        var (_, challenge) = OAuthCodeFlow.Pkce();

        var result = await _browser.RunAsync(Flow.AuthorizeUrl(clientId, server.WorkerResource, "echo", challenge, redirectUri: "http://127.0.0.1:8976/elsewhere"), "alice", Ct,
            stopAt: "http://127.0.0.1:8976/");

        Assert.Equal(400, result.StatusCode);
        Assert.NotEqual(8976, result.Url.Port);
        Assert.Equal("invalid_request", result.Error.Error);
        Assert.Contains("'redirect_uri'", result.Error.Description, StringComparison.Ordinal);
        Assert.Empty(_browser.SignInsPosted);
    }

    [Fact]
    public async Task AuthorizationForAResourceThisServerDoesNotServe_IsInvalidTarget()
    {
        var clientId = await Flow.RegisterAsync(Ct);
        var (_, challenge) = OAuthCodeFlow.Pkce();

        var result = await _browser.RunAsync(Flow.AuthorizeUrl(clientId, "https://mcp.example.com/mcp", "echo", challenge), "alice", Ct, stopAt: OAuthCodeFlow.RedirectUri);

        Assert.Equal("invalid_target", result.Error.Error);
        Assert.Null(result.Parameter("code"));
    }

    [Fact]
    public async Task CodeRedeemedTwice_TheSecondIsRefused_AndTheFirstsTokensAreRevoked()
    {
        var (clientId, code, verifier) = await AuthorizeAsync("alice");
        var (firstStatus, first) = await Flow.ExchangeAsync(clientId, code, verifier, server.WorkerResource, Ct);

        var (secondStatus, second) = await Flow.ExchangeAsync(clientId, code, verifier, server.WorkerResource, Ct);
        var (refreshStatus, refresh) = await Flow.RefreshAsync(clientId, first.GetProperty("refresh_token").GetString()!, Ct);

        Assert.Equal(200, firstStatus);
        Assert.Equal((400, "invalid_grant"), (secondStatus, second.GetProperty("error").GetString()));
        Assert.Contains("already been redeemed", second.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.False(second.TryGetProperty("access_token", out _));
        Assert.Equal((400, "invalid_grant"), (refreshStatus, refresh.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task CodeRedeemedByAnotherClient_IsRefused()
    {
        var (_, code, verifier) = await AuthorizeAsync("alice");
        var other = await Flow.RegisterAsync(Ct);

        var (status, answer) = await Flow.ExchangeAsync(other, code, verifier, server.WorkerResource, Ct);

        Assert.Equal((400, "invalid_grant"), (status, answer.GetProperty("error").GetString()));
        Assert.False(answer.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task RotatedRefreshTokenReused_IsRefused_AndRevokesTheWholeFamily()
    {
        var (clientId, code, verifier) = await AuthorizeAsync("alice");
        var (_, tokens) = await Flow.ExchangeAsync(clientId, code, verifier, server.WorkerResource, Ct);
        var original = tokens.GetProperty("refresh_token").GetString()!;
        var (rotatedStatus, rotated) = await Flow.RefreshAsync(clientId, original, Ct);

        var (reuseStatus, reuse) = await Flow.RefreshAsync(clientId, original, Ct);
        var (afterStatus, after) = await Flow.RefreshAsync(clientId, rotated.GetProperty("refresh_token").GetString()!, Ct);

        Assert.Equal(200, rotatedStatus);
        Assert.NotEqual(original, rotated.GetProperty("refresh_token").GetString());
        Assert.Equal((400, "invalid_grant"), (reuseStatus, reuse.GetProperty("error").GetString()));
        Assert.Equal((400, "invalid_grant"), (afterStatus, after.GetProperty("error").GetString()));
        Assert.Contains("no longer valid", after.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshForAnotherResourceThanGranted_IsInvalidTarget()
    {
        var (clientId, code, verifier) = await AuthorizeAsync("alice");
        var (_, tokens) = await Flow.ExchangeAsync(clientId, code, verifier, server.WorkerResource, Ct);

        var (status, answer) = await Flow.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!, Ct, resource: server.FrontEndResource);

        Assert.Equal((400, "invalid_target"), (status, answer.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task TokenForTheWorker_IsRefusedAtTheFrontEnd_AsAnotherAudience()
    {
        var tokens = await Flow.SignInAsync(_browser, "alice", server.WorkerResource, "echo whoami", Ct);
        var token = tokens.GetProperty("access_token").GetString()!;

        var atWorker = await AuthServerCalls.PingAsync(_http, server.WorkerResource, token, Ct);
        var atFrontEnd = await AuthServerCalls.PingAsync(_http, server.FrontEndResource, token, Ct);

        Assert.Equal(HttpStatusCode.OK, atWorker.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, atFrontEnd.Status);
        Assert.Contains("error=\"invalid_token\"", atFrontEnd.Challenge, StringComparison.Ordinal);
        Assert.Contains("another audience", atFrontEnd.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredAccessToken_IsRefusedAsInvalidToken()
    {
        var (verifier, challenge) = OAuthCodeFlow.Pkce();
        var callback = await _browser.RunAsync(Flow.AuthorizeUrl(AuthServerFixture.ShortLivedClient, server.WorkerResource, "echo", challenge), "alice", Ct,
            stopAt: OAuthCodeFlow.RedirectUri);
        var (_, tokens) = await Flow.ExchangeAsync(AuthServerFixture.ShortLivedClient, callback.Parameter("code")!, verifier, server.WorkerResource, Ct);
        var token = tokens.GetProperty("access_token").GetString()!;

        Assert.Equal(AuthServerFixture.ShortLivedSeconds, tokens.GetProperty("expires_in").GetInt32(), tolerance: 1);
        var expired = await Until.ValueAsync(() => AuthServerCalls.PingAsync(_http, server.WorkerResource, token, Ct), r => r.Status != HttpStatusCode.OK,
            r => $"still {r.Status}", Ct, TimeSpan.FromSeconds(AuthServerFixture.ShortLivedSeconds + 10));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Contains("expired", expired.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsentDeclined_TheClientGetsAccessDenied_AndTheNextAuthorizationAsksAgain()
    {
        var clientId = await Flow.RegisterAsync(Ct);
        var (_, challenge) = OAuthCodeFlow.Pkce();
        var url = Flow.AuthorizeUrl(clientId, server.WorkerResource, "echo", challenge);

        var declined = await _browser.RunAsync(url, "alice", Ct, consent: "deny", stopAt: OAuthCodeFlow.RedirectUri);
        var allowed = await _browser.RunAsync(url, "alice", Ct, stopAt: OAuthCodeFlow.RedirectUri);

        Assert.Equal("access_denied", declined.Parameter("error"));
        Assert.Null(declined.Parameter("code"));
        Assert.Equal(2, _browser.ConsentsAnswered.Count);
        Assert.NotNull(allowed.Parameter("code"));
    }

    [Fact]
    public async Task ConsentGiven_IsRememberedForThatClientAndUser_NotForAnother()
    {
        var clientId = await Flow.RegisterAsync(Ct);
        var (_, challenge) = OAuthCodeFlow.Pkce();
        var url = Flow.AuthorizeUrl(clientId, server.WorkerResource, "echo", challenge);
        using var bob = new OAuthBrowser();

        var first = await _browser.RunAsync(url, "alice", Ct, stopAt: OAuthCodeFlow.RedirectUri);
        var second = await _browser.RunAsync(url, "alice", Ct, stopAt: OAuthCodeFlow.RedirectUri);
        var bobs = await bob.RunAsync(url, "bob", Ct, stopAt: OAuthCodeFlow.RedirectUri);

        Assert.All([first, second, bobs], result => Assert.NotNull(result.Parameter("code")));
        Assert.Single(_browser.ConsentsAnswered);
        Assert.Single(_browser.SignInsPosted);
        Assert.Single(bob.ConsentsAnswered);
    }

    [Fact]
    public async Task ConsentForOneResource_DoesNotCoverAnother()
    {
        var clientId = await Flow.RegisterAsync(Ct);
        var (_, challenge) = OAuthCodeFlow.Pkce();

        var worker = await _browser.RunAsync(Flow.AuthorizeUrl(clientId, server.WorkerResource, "echo", challenge), "alice", Ct, stopAt: OAuthCodeFlow.RedirectUri);
        var frontEndUrl = Flow.AuthorizeUrl(clientId, server.FrontEndResource, "echo", challenge).AbsoluteUri + "&prompt=none";
        var silent = await _browser.RunAsync(new Uri(frontEndUrl), "alice", Ct, stopAt: OAuthCodeFlow.RedirectUri);

        Assert.NotNull(worker.Parameter("code"));
        Assert.Equal("consent_required", silent.Parameter("error"));
        Assert.Null(silent.Parameter("code"));
        Assert.Single(_browser.ConsentsAnswered);
    }

    [Fact]
    public async Task RefreshTokenPresentedTwiceAtOnce_IsRedeemedOnce_AndTheFamilyRevoked()
    {
        var (clientId, code, verifier) = await AuthorizeAsync("alice");
        var (_, tokens) = await Flow.ExchangeAsync(clientId, code, verifier, server.WorkerResource, Ct);
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        // Through the balancer, so the requests reach both replicas.
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Flow.RefreshAsync(clientId, refreshToken, Ct)));

        var issued = answers.Where(answer => answer.Status == 200).ToList();
        Assert.True(issued.Count == 1, $"{issued.Count} of 6 concurrent uses of one refresh token were answered with tokens");
        Assert.All(answers.Where(answer => answer.Status != 200), answer => Assert.Equal("invalid_grant", answer.Body.GetProperty("error").GetString()));
        foreach (var (_, body) in issued)
        {
            var (status, _) = await Flow.RefreshAsync(clientId, body.GetProperty("refresh_token").GetString()!, Ct);
            Assert.Equal(400, status);
        }
    }

    [Fact]
    public async Task UpstreamRefusesTheUser_TheClientGetsAccessDenied()
    {
        var clientId = await Flow.RegisterAsync(Ct);
        var (_, challenge) = OAuthCodeFlow.Pkce();

        var result = await _browser.RunAsync(Flow.AuthorizeUrl(clientId, server.WorkerResource, "echo", challenge), "mallory", Ct, stopAt: OAuthCodeFlow.RedirectUri);

        Assert.Equal("access_denied", result.Parameter("error"));
        Assert.Contains("identity provider", result.Parameter("error_description"), StringComparison.Ordinal);
        Assert.Null(result.Parameter("code"));
        Assert.Empty(_browser.ConsentsAnswered);
    }

    /// <summary>A new client's code for the worker, signed in as <paramref name="user"/>.</summary>
    private async Task<(string ClientId, string Code, string Verifier)> AuthorizeAsync(string user)
    {
        var clientId = await Flow.RegisterAsync(Ct);
        var (verifier, challenge) = OAuthCodeFlow.Pkce();
        var callback = await _browser.RunAsync(Flow.AuthorizeUrl(clientId, server.WorkerResource, "echo", challenge), user, Ct, stopAt: OAuthCodeFlow.RedirectUri);
        return (clientId, callback.Parameter("code") ?? throw new InvalidOperationException($"No code: {callback.Url}"), verifier);
    }

    public void Dispose()
    {
        _http.Dispose();
        _browser.Dispose();
    }
}
