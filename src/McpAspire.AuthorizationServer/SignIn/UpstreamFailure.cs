namespace McpAspire.AuthorizationServer.SignIn;

/// <summary>
/// The upstream's refusal of a sign-in, carried to the authorization request that asked for it (in a short-lived
/// cookie), which answers the MCP client with <c>access_denied</c> instead of asking the user again.
/// </summary>
internal static class UpstreamFailure
{
    private const string CookieSuffix = ".upstream-failure";

    public static void Remember(HttpContext context, string cookieName, string reason) =>
        context.Response.Cookies.Append(cookieName + CookieSuffix, reason[..Math.Min(reason.Length, 200)], new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            MaxAge = TimeSpan.FromMinutes(5),
            Path = "/",
        });

    /// <summary>The reason, once: reading it removes it.</summary>
    public static string? Take(HttpContext context, string cookieName)
    {
        if (!context.Request.Cookies.TryGetValue(cookieName + CookieSuffix, out var reason))
        {
            return null;
        }

        context.Response.Cookies.Delete(cookieName + CookieSuffix, new CookieOptions { Path = "/" });
        return reason;
    }
}
