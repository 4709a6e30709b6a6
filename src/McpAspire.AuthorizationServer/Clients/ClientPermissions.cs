using McpAspire.AuthorizationServer.Stores;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpAspire.AuthorizationServer.Clients;

/// <summary>
/// What every client may do, however it was registered: the authorization code flow with PKCE, refresh tokens, and the
/// revocation endpoint. Scopes and resources are decided per request (the resource's own scopes, the user's consent).
/// </summary>
internal static class ClientPermissions
{
    public static readonly IReadOnlyList<string> All =
    [
        Permissions.Endpoints.Authorization,
        Permissions.Endpoints.Token,
        Permissions.Endpoints.Revocation,
        Permissions.GrantTypes.AuthorizationCode,
        Permissions.GrantTypes.RefreshToken,
        Permissions.ResponseTypes.Code,
    ];

    /// <summary>A client whose redirects are all loopback or a private-use scheme is a native application (RFC 8252): any port on loopback.</summary>
    public static string ApplicationTypeOf(IEnumerable<string> redirectUris) =>
        redirectUris.All(uri => Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && (parsed.IsLoopback || parsed.Scheme is not ("http" or "https")))
            ? ApplicationTypes.Native
            : ApplicationTypes.Web;

    /// <summary>A public client (no secret), which must prove its code with PKCE.</summary>
    public static OAuthApplication Public(string clientId, string? displayName, IReadOnlyList<string> redirectUris, string source) => new()
    {
        Id = clientId,
        ClientId = clientId,
        ClientType = ClientTypes.Public,
        ApplicationType = ApplicationTypeOf(redirectUris),
        ConsentType = ConsentTypes.Explicit,
        DisplayName = displayName,
        RedirectUris = [.. redirectUris],
        Permissions = [.. All],
        Requirements = [Requirements.Features.ProofKeyForCodeExchange],
        Source = source,
    };
}
