namespace McpAspire.AuthorizationServer.SignIn;

internal static class LocalUrl
{
    /// <summary>
    /// A path on this server (<c>/connect/authorize?…</c>), never another site: where a sign-in may return to. Browsers
    /// drop tabs and newlines from a URL and read a backslash as a slash, so "/\t/evil" would be "//evil": both are refused.
    /// </summary>
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || url[1] != '/') && !url.Any(c => char.IsControl(c) || c == '\\');
}
