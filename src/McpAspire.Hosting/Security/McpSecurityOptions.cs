namespace McpAspire.Hosting.Security;

/// <summary>
/// The security edge of the remote hosts (<c>McpAspire:Security</c>). Every check is on by default; an empty list
/// means the check allows nothing extra (origins) or everything (networks), as each property says.
/// </summary>
public sealed class McpSecurityOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string SectionName = "McpAspire:Security";

    /// <summary>API keys by name; the name becomes the principal <c>apikey:{name}</c>.</summary>
    public IDictionary<string, ApiKeyOptions> ApiKeys { get; } = new Dictionary<string, ApiKeyOptions>(StringComparer.Ordinal);

    /// <summary>OAuth 2.1 bearer tokens (JWT) from one authorization server; off while <see cref="JwtOptions.Authority"/> is empty.</summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>
    /// Browser origins (<c>https://app.example.com</c>) allowed to call the host: CORS answers them and any other
    /// <c>Origin</c> gets 403. In Development, loopback origins are allowed as well.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>
    /// Let a loopback client that sends no credentials in as <c>anonymous</c>. Null means true in Development only, for a
    /// host run alone on a developer's machine; the AppHost sets false, so there too every caller signs in or sends a key.
    /// </summary>
    public bool? AllowAnonymousLoopback { get; set; }

    /// <summary>Client networks in CIDR form (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>); empty allows every client.</summary>
    public IList<string> AllowedNetworks { get; } = [];

    /// <summary>Proxies (addresses or CIDR ranges) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed.</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>The largest request body accepted, in bytes; larger ones get 413 before anything reads them.</summary>
    public long MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Refuse plain HTTP (redirect a GET, refuse anything else) and send HSTS. Null means true outside Development.
    /// Set false only behind a TLS-terminating ingress that does not forward the scheme.
    /// </summary>
    public bool? RequireHttps { get; set; }

    /// <summary>
    /// Requests one client address may make per second before authentication runs (a burst of twice as many is
    /// allowed); past it, 429. Authenticated tool calls are limited again per principal by <c>McpAspire:RateLimiting</c>.
    /// </summary>
    public int RequestsPerClientPerSecond { get; set; } = 100;

    /// <summary>A file the access log is also appended to (JSON lines, one file per day), for an auditor to keep.</summary>
    public string? AccessLogPath { get; set; }

    /// <summary>How the access log reaches the console: a compact line written off the request's path (the default), formatted by the console logger, or not at all.</summary>
    public AccessLogConsole AccessLogConsole { get; set; } = AccessLogConsole.Compact;
}
