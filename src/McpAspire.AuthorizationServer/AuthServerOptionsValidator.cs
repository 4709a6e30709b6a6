using Microsoft.Extensions.Options;

namespace McpAspire.AuthorizationServer;

/// <summary>Checks the authorization server's settings at start-up; each message names the key and what to set.</summary>
internal sealed class AuthServerOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthServerOptions>
{
    private const string Section = AuthServerOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, AuthServerOptions options)
    {
        List<string> failures = [];
        var requireHttps = options.RequireHttps ?? !environment.IsDevelopment();
        if (options.Issuer is { Length: > 0 } issuer && (!Uri.TryCreate(issuer, UriKind.Absolute, out var issuerUri) ||
            !(issuerUri.Scheme == Uri.UriSchemeHttps || (!requireHttps && issuerUri.Scheme == Uri.UriSchemeHttp)) || issuerUri.Query.Length > 0 || issuerUri.Fragment.Length > 0))
        {
            failures.Add($"{Section}:Issuer must be this server's absolute https URL, with no query or fragment (http only with {Section}:RequireHttps=false).");
        }

        if (string.IsNullOrWhiteSpace(options.Issuer) && !environment.IsDevelopment())
        {
            failures.Add($"{Section}:Issuer must be set outside Development: this server's public URL, as MCP clients and the resources spell it (https://auth.example.com/).");
        }

        foreach (var resource in options.Resources)
        {
            if (!Uri.TryCreate(resource, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Fragment.Length > 0)
            {
                failures.Add($"{Section}:Resources has '{resource}': each must be an MCP endpoint's absolute http(s) URL without a fragment.");
            }
        }

        var upstream = options.Upstream;
        var hasUpstream = !string.IsNullOrWhiteSpace(upstream.Authority);
        if (hasUpstream == options.Users.Count > 0)
        {
            failures.Add($"Set exactly one way to sign users in: {Section}:Upstream:Authority (an OpenID Connect provider) or, in Development, {Section}:Users.");
        }

        if (options.Users.Count > 0 && !environment.IsDevelopment())
        {
            failures.Add($"{Section}:Users (the development sign-in form) is refused outside Development: set {Section}:Upstream instead.");
        }

        if (hasUpstream)
        {
            if (!Uri.TryCreate(upstream.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("http" or "https"))
            {
                failures.Add($"{Section}:Upstream:Authority must be the provider's absolute issuer URL.");
            }

            if (string.IsNullOrWhiteSpace(upstream.ClientId) || string.IsNullOrWhiteSpace(upstream.ClientSecret))
            {
                failures.Add($"{Section}:Upstream:ClientId and {Section}:Upstream:ClientSecret must be set: this server's registration at the provider.");
            }
        }

        foreach (var (clientId, client) in options.Clients)
        {
            if (client.RedirectUris.Count == 0 || client.RedirectUris.Any(uri => !Uri.TryCreate(uri, UriKind.Absolute, out _)))
            {
                failures.Add($"{Section}:Clients:{clientId}:RedirectUris must list the client's absolute redirect URIs.");
            }
        }

        foreach (var (key, value) in new Dictionary<string, TimeSpan>
        {
            ["AccessTokenLifetime"] = options.AccessTokenLifetime,
            ["RefreshTokenLifetime"] = options.RefreshTokenLifetime,
            ["ConsentLifetime"] = options.ConsentLifetime,
            ["SignInLifetime"] = options.SignInLifetime,
            ["DynamicRegistration:UnusedLifetime"] = options.DynamicRegistration.UnusedLifetime,
            ["ClientMetadataDocuments:Timeout"] = options.ClientMetadataDocuments.Timeout,
            ["SigningKeys:Lifetime"] = options.SigningKeys.Lifetime,
            ["SigningKeys:RefreshInterval"] = options.SigningKeys.RefreshInterval,
        })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{Section}:{key} must be a positive time span (e.g. 00:15:00 or 14.00:00:00).");
            }
        }

        if (options.SigningKeys.PublishAhead < TimeSpan.Zero || options.SigningKeys.PublishAhead >= options.SigningKeys.Lifetime)
        {
            failures.Add($"{Section}:SigningKeys:PublishAhead must be at least zero and shorter than {Section}:SigningKeys:Lifetime.");
        }

        if (options.DynamicRegistration.PerClientAddressPerHour < 1)
        {
            failures.Add($"{Section}:DynamicRegistration:PerClientAddressPerHour must be at least 1 (turn registration off with {Section}:DynamicRegistration:Enabled=false).");
        }

        var documents = options.ClientMetadataDocuments;
        if (documents.MaxBytes is < 256 or > 1024 * 1024)
        {
            failures.Add($"{Section}:ClientMetadataDocuments:MaxBytes must be between 256 and 1048576.");
        }

        if (documents.MinCacheTime < TimeSpan.Zero || documents.MaxCacheTime < documents.MinCacheTime)
        {
            failures.Add($"{Section}:ClientMetadataDocuments:MinCacheTime must be at least zero and at most MaxCacheTime.");
        }

        foreach (var proxy in options.KnownProxies)
        {
            if (!System.Net.IPNetwork.TryParse(proxy, out _) && !System.Net.IPAddress.TryParse(proxy, out _))
            {
                failures.Add($"{Section}:KnownProxies has '{proxy}': each must be an address or a CIDR range.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
