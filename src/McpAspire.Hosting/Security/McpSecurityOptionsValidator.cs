using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Security;

/// <summary>Fails start-up on a security setting that cannot mean what its author wanted; each message names the key and the fix.</summary>
internal sealed partial class McpSecurityOptionsValidator : IValidateOptions<McpSecurityOptions>
{
    private const string Section = McpSecurityOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, McpSecurityOptions options)
    {
        var failures = new List<string>();
        foreach (var (keyName, key) in options.ApiKeys)
        {
            if (!HashFormat().IsMatch(key.Hash))
            {
                failures.Add($"{Section}:ApiKeys:{keyName}:Hash must be 'sha256:' and the 64 hex digits of the key's SHA-256 (printf %s \"$KEY\" | sha256sum), never the key itself.");
            }

            if (key.Scopes.Count == 0 || key.Scopes.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{Section}:ApiKeys:{keyName}:Scopes must list the tool names the key may call, or '*' for all.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Jwt.Authority))
        {
            if (!Uri.TryCreate(options.Jwt.Authority, UriKind.Absolute, out var authority) ||
                (authority.Scheme != Uri.UriSchemeHttps && (options.Jwt.RequireHttpsMetadata || authority.Scheme != Uri.UriSchemeHttp)))
            {
                failures.Add($"{Section}:Jwt:Authority must be an absolute https URL of the token issuer (http only with {Section}:Jwt:RequireHttpsMetadata=false).");
            }

            if (!options.Jwt.AllAudiences.Any())
            {
                failures.Add($"{Section}:Jwt:Audience must be set with {Section}:Jwt:Authority: tokens are only accepted for this resource.");
            }
        }

        foreach (var origin in options.AllowedOrigins)
        {
            if (OriginPolicy.Normalize(origin) is null)
            {
                failures.Add($"{Section}:AllowedOrigins entry '{origin}' must be an origin: scheme, host and optional port, such as https://app.example.com ('*' is not allowed).");
            }
        }

        Networks(options.AllowedNetworks, "AllowedNetworks", failures);
        Networks(options.KnownProxies, "KnownProxies", failures);
        if (options.MaxRequestBytes <= 0)
        {
            failures.Add($"{Section}:MaxRequestBytes must be a positive number of bytes.");
        }

        if (options.RequestsPerClientPerSecond <= 0)
        {
            failures.Add($"{Section}:RequestsPerClientPerSecond must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>An address (<c>10.1.2.3</c>, <c>::1</c>) or a CIDR range; null when it is neither.</summary>
    public static IPNetwork? ParseNetwork(string value) =>
        IPNetwork.TryParse(value, out var network) ? network
        : IPAddress.TryParse(value, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8)
        : null;

    private static void Networks(IList<string> values, string key, List<string> failures)
    {
        foreach (var value in values.Where(v => ParseNetwork(v) is null))
        {
            failures.Add($"{Section}:{key} entry '{value}' must be an IPv4 or IPv6 address or CIDR range, such as 10.0.0.0/8 or 2001:db8::/32.");
        }
    }

    [GeneratedRegex("^sha256:[0-9a-fA-F]{64}$")]
    private static partial Regex HashFormat();
}
