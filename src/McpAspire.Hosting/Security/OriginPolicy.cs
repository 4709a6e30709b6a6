using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Security;

/// <summary>
/// Which browser origins may call the host, for CORS and against DNS rebinding alike: the configured allow-list, and in
/// Development any loopback origin (a local inspector or web client).
/// </summary>
internal sealed class OriginPolicy(IOptions<McpSecurityOptions> options, IHostEnvironment environment)
{
    private readonly HashSet<string> _allowed = options.Value.AllowedOrigins.Select(Normalize).OfType<string>().ToHashSet(StringComparer.Ordinal);
    private readonly bool _allowLoopback = environment.IsDevelopment();

    public bool IsAllowed(string origin) =>
        Normalize(origin) is { } normalized &&
        (_allowed.Contains(normalized) || (_allowLoopback && IsLoopback(new Uri(normalized).IdnHost)));

    /// <summary>The origin as browsers send it (<c>scheme://host[:port]</c>, lower case, no default port); null when the value is not an origin.</summary>
    public static string? Normalize(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) &&
        uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
