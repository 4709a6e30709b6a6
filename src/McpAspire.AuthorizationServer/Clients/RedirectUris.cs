namespace McpAspire.AuthorizationServer.Clients;

/// <summary>Which redirect URIs a client may register: https, http on loopback (native apps, RFC 8252), or a private-use scheme; never a fragment.</summary>
internal static class RedirectUris
{
    private static readonly HashSet<string> UnsafeSchemes = new(StringComparer.OrdinalIgnoreCase) { "javascript", "data", "file", "vbscript", "about", "blob", "ws", "wss", "ftp" };

    /// <summary>Null when <paramref name="uri"/> is acceptable, else why not.</summary>
    public static string? Problem(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return $"'{uri}' is not an absolute URI";
        }

        if (parsed.Fragment.Length > 0 || uri.Contains('#', StringComparison.Ordinal))
        {
            return $"'{uri}' has a fragment";
        }

        // The server adds iss to the answer (RFC 9207); one already there could make a client believe another issuer.
        if (Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(parsed.Query).ContainsKey("iss"))
        {
            return $"'{uri}' has an 'iss' query parameter";
        }

        return parsed.Scheme switch
        {
            "https" => null,
            "http" => parsed.IsLoopback ? null : $"'{uri}' uses http on a host that is not loopback (only native apps' loopback redirects may)",
            var scheme when UnsafeSchemes.Contains(scheme) => $"'{uri}' uses the scheme '{scheme}'",
            _ => null,
        };
    }
}
