namespace McpAspire.AuthServer.SignIn;

internal static class LocalUrl
{
    /// <summary>A path on this server (<c>/connect/authorize?…</c>), never another site: where a sign-in may return to.</summary>
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
