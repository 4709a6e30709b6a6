using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using McpAspire.Hosting.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace McpAspire.Hosting.Security;

/// <summary>
/// Authenticates an API key sent as <c>X-API-Key</c> or <c>Authorization: Bearer</c>: the key's SHA-256 is compared, in
/// constant time, with every configured hash, and a match becomes the principal <c>apikey:{name}</c> with its scopes.
/// The host's own warm-up key (<see cref="WarmUp.Credential"/>), while it is valid, is the principal
/// <see cref="WarmUp.Principal"/> with every scope.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyTable table,
    WarmUp.Credential? warmUp = null)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-API-Key";
    public const string PrincipalPrefix = "apikey:";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (KeyOf(Request.Headers) is not { Length: > 0 } key)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        // Every configured hash is compared, matching or not, so the time taken says nothing about which one was close.
        var keys = table.Keys;
        var match = -1;
        for (var i = 0; i < keys.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, keys[i].Hash))
            {
                match = i;
            }
        }

        if (match < 0 && warmUp?.Matches(hash) == true)
        {
            var self = new ClaimsIdentity([new(ClaimTypes.NameIdentifier, WarmUp.Principal, ClaimValueTypes.String, SchemeName), new(ToolScopes.ClaimType, "*", ClaimValueTypes.String, SchemeName)], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(self), SchemeName)));
        }

        if (match < 0)
        {
            return Task.FromResult(AuthenticateResult.Fail(AuthenticationFailures.InvalidApiKey));
        }

        var (name, _, scopes) = keys[match];
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, PrincipalPrefix + name, ClaimValueTypes.String, SchemeName) };
        claims.AddRange(scopes.Select(scope => new Claim(ToolScopes.ClaimType, scope, ClaimValueTypes.String, SchemeName)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    /// <summary>The key a request carries: <c>X-API-Key</c>, else an <c>Authorization: Bearer</c> value.</summary>
    public static string? KeyOf(Microsoft.AspNetCore.Http.IHeaderDictionary headers) =>
        headers[HeaderName].ToString() is { Length: > 0 } apiKey ? apiKey : BearerOf(headers);

    public static string? BearerOf(Microsoft.AspNetCore.Http.IHeaderDictionary headers) =>
        headers[HeaderNames.Authorization].ToString() is { } authorization &&
        authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
}
