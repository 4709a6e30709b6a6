namespace McpAspire.Hosting.Security;

/// <summary>The authorization server whose JWT access tokens the host accepts.</summary>
public sealed class JwtOptions
{
    /// <summary>The issuer; its OpenID Connect discovery document gives the signing keys. Listed as the authorization server in the protected-resource metadata.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must carry: this resource's identifier.</summary>
    public string? Audience { get; set; }

    /// <summary>Fetch discovery over HTTPS only. False is for a local test issuer.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}
