namespace McpAspire.AuthorizationServer;

/// <summary>
/// The authorization server (<c>McpAspire:AuthServer</c>): the MCP resources it issues tokens for, who signs users in
/// (an upstream OpenID Connect provider, or named users in Development), how MCP clients register, and token lifetimes.
/// </summary>
public sealed class AuthServerOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "McpAspire:AuthServer";

    /// <summary>
    /// This server's public URL, its <c>iss</c> (e.g. <c>https://auth.example.com/</c>). MCP resources list it in their
    /// protected-resource metadata and clients compare it character for character, so it must be the same string there.
    /// Required outside Development; in Development, empty means taken from each request.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// The MCP resources (their endpoint URLs, e.g. <c>https://mcp.example.com/mcp</c>) tokens may be issued for. A client
    /// names one with <c>resource</c> (RFC 8707) and its token's audience is exactly that URL. Each resource's scopes are
    /// the <c>scopes_supported</c> of its protected-resource metadata.
    /// </summary>
    public IList<string> Resources { get; } = [];

    /// <summary>Scopes granted beside the resources' own (e.g. <c>openid</c>, <c>profile</c>, <c>email</c> for an identity provider).</summary>
    public IList<string> Scopes { get; } = [];

    /// <summary>Who signs users in when they are not: an OpenID Connect provider found by discovery. Empty in favour of <see cref="Users"/>.</summary>
    public UpstreamOptions Upstream { get; set; } = new();

    /// <summary>
    /// Development only: users signed in by this server's own form (fields <c>username</c> and <c>password</c>), by name.
    /// A stand-in for the upstream provider on a machine with no cloud.
    /// </summary>
    public IDictionary<string, DevelopmentUserOptions> Users { get; } = new Dictionary<string, DevelopmentUserOptions>(StringComparer.Ordinal);

    /// <summary>Clients registered by configuration, by client id (e.g. this server registered at the upstream, in Development).</summary>
    public IDictionary<string, ConfiguredClientOptions> Clients { get; } = new Dictionary<string, ConfiguredClientOptions>(StringComparer.Ordinal);

    /// <summary>Dynamic Client Registration (RFC 7591) of public clients.</summary>
    public DynamicRegistrationOptions DynamicRegistration { get; set; } = new();

    /// <summary>Client ID Metadata Documents: a <c>client_id</c> that is an https URL, fetched and checked.</summary>
    public ClientMetadataDocumentOptions ClientMetadataDocuments { get; set; } = new();

    /// <summary>Signing keys: created and rotated by the replicas together, kept in Redis, published as JWKS.</summary>
    public SigningKeyOptions SigningKeys { get; set; } = new();

    /// <summary>How long an access token is accepted. A revoked grant's access tokens stay valid this long at the resources (they validate the JWT, never this server).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long after the user signed in refresh tokens work (each use gives a new one with the same end: rotation); then the user signs in again.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a user's approval of a client is remembered before the consent page is shown again.</summary>
    public TimeSpan ConsentLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long a user stays signed in at this server (sliding), so a second client needs no new sign-in.</summary>
    public TimeSpan SignInLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>The name of this server's cookies; two servers on one host name (ports do not separate cookies) need two.</summary>
    public string? CookieName { get; set; }

    /// <summary>Refuse plain HTTP (OpenIddict's transport security). Null means true outside Development; false only behind a TLS-terminating proxy listed in <see cref="KnownProxies"/>.</summary>
    public bool? RequireHttps { get; set; }

    /// <summary>Proxies (addresses or CIDR ranges) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed.</summary>
    public IList<string> KnownProxies { get; } = [];
}

/// <summary>The upstream OpenID Connect provider every sign-in is federated to (Microsoft Entra ID, Okta, Keycloak, …).</summary>
public sealed class UpstreamOptions
{
    /// <summary>Its issuer (e.g. <c>https://login.microsoftonline.com/{tenant}/v2.0</c>); its discovery document gives the rest.</summary>
    public string? Authority { get; set; }

    /// <summary>This server's client id at the upstream (Entra ID: the app registration's Application (client) ID).</summary>
    public string? ClientId { get; set; }

    /// <summary>This server's client secret at the upstream. A secret: set it from a secret store, never in a file.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>What the sign-in page calls the upstream.</summary>
    public string DisplayName { get; set; } = "your organization";

    /// <summary>The upstream claim that identifies a user for good: <c>sub</c>, or <c>oid</c> for Entra ID across applications.</summary>
    public string SubjectClaim { get; set; } = "sub";

    /// <summary>Scopes asked of the upstream.</summary>
    public IList<string> Scopes { get; } = [];
}

/// <summary>A named user of the development sign-in form.</summary>
public sealed class DevelopmentUserOptions
{
    /// <summary>The password the form accepts for this user.</summary>
    public string? Password { get; set; }

    /// <summary>The user's display name (the <c>name</c> claim).</summary>
    public string? Name { get; set; }

    /// <summary>The user's address (the <c>email</c> claim).</summary>
    public string? Email { get; set; }
}

/// <summary>A client registered by configuration.</summary>
public sealed class ConfiguredClientOptions
{
    /// <summary>Its secret, for a confidential client; none for a public one (PKCE alone).</summary>
    public string? Secret { get; set; }

    /// <summary>The redirect URIs it may use, compared exactly.</summary>
    public IList<string> RedirectUris { get; } = [];

    /// <summary>The name the consent page shows for it.</summary>
    public string? DisplayName { get; set; }

    /// <summary>Ask the user before issuing to it; false only for a client the operator trusts as this deployment's own.</summary>
    public bool RequireConsent { get; set; } = true;

    /// <summary>How long its access tokens live, when not <see cref="AuthServerOptions.AccessTokenLifetime"/> (a client held to shorter-lived tokens).</summary>
    public TimeSpan? AccessTokenLifetime { get; set; }
}

/// <summary>Dynamic Client Registration (RFC 7591) at <c>/register</c>.</summary>
public sealed class DynamicRegistrationOptions
{
    /// <summary>Whether clients may register themselves.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Registrations one client address may make per hour (across every replica).</summary>
    public int PerClientAddressPerHour { get; set; } = 20;

    /// <summary>A registration no authorization or token request has used for this long is deleted.</summary>
    public TimeSpan UnusedLifetime { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>Client ID Metadata Documents: a client whose <c>client_id</c> is an https URL is described by the document there.</summary>
public sealed class ClientMetadataDocumentOptions
{
    /// <summary>Whether such client ids are accepted.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The largest document accepted, in bytes.</summary>
    public int MaxBytes { get; set; } = 5 * 1024;

    /// <summary>How long fetching a document may take, connection included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bounds on how long a fetched document is kept: its <c>Cache-Control: max-age</c> within them, the lower bound without one.</summary>
    public TimeSpan MinCacheTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The upper bound of <see cref="MinCacheTime"/>'s pair.</summary>
    public TimeSpan MaxCacheTime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// A PEM file of a private certificate authority whose certificates document servers may also present (a company's
    /// internal CA); the system's trusted authorities are accepted either way.
    /// </summary>
    public string? TrustedCaCertificatePath { get; set; }

    /// <summary>Fetch documents from loopback over http. Null means true in Development only, so local clients and tests can serve one.</summary>
    public bool? AllowLoopbackHttp { get; set; }
}

/// <summary>The keys that sign tokens, kept in Redis and rotated by the replicas between them.</summary>
public sealed class SigningKeyOptions
{
    /// <summary>How long a key signs new tokens before its successor takes over.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a key is published before it signs, so resources have it before the first token it signs.</summary>
    public TimeSpan PublishAhead { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often each replica reads the keys again: a key another replica created is published and used within this.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}
