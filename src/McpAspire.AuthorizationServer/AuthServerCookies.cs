namespace McpAspire.AuthorizationServer;

internal static class AuthServerCookies
{
    /// <summary>The configured cookie name, else one per role: an identity provider and an authorization server on one host name keep apart.</summary>
    public static string NameOf(AuthServerOptions options) =>
        options.CookieName is { Length: > 0 } name ? name : options.Users.Count > 0 ? "mcpaspire-dev-identity" : "mcpaspire-auth";
}
