namespace McpAspire.Hosting.Security;

/// <summary>The authorization server whose JWT access tokens the host accepts.</summary>
public sealed class JwtOptions
{
    /// <summary>The issuer; its OpenID Connect discovery document gives the signing keys. Listed as the authorization server in the protected-resource metadata.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must carry: this resource's identifier, its MCP endpoint's URL (<c>https://mcp.example.com/mcp</c>).</summary>
    public string? Audience { get; set; }

    /// <summary>More audiences accepted beside <see cref="Audience"/>: a host with several MCP endpoints (the front-end's <c>/mcp</c> and <c>/sse</c>) is one resource per endpoint.</summary>
    public IList<string> Audiences { get; } = [];

    /// <summary>Every audience accepted.</summary>
    internal IEnumerable<string> AllAudiences => Audiences.Prepend(Audience ?? "").Where(audience => audience.Length > 0);

    /// <summary>How far the token's times may be off this host's clock (its expiry, not-before).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Fetch discovery over HTTPS only. False is for a local test issuer.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}
