using System.Security.Cryptography;
using System.Text;
using McpAspire.AuthorizationServer.Stores;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;

namespace McpAspire.AuthorizationServer.Clients;

/// <summary>
/// OpenIddict's client manager, with the one difference configured clients need: their secret is kept as a SHA-256
/// (<see cref="ConfiguredClients.SecretPrefix"/>) and compared in constant time. Every other secret, and everything else, is OpenIddict's.
/// </summary>
internal sealed class McpApplicationManager(
    IOpenIddictApplicationCache<OAuthApplication> cache,
    ILogger<OpenIddictApplicationManager<OAuthApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OAuthApplication> store) : OpenIddictApplicationManager<OAuthApplication>(cache, logger, options, store)
{
    protected override ValueTask<bool> ValidateClientSecretAsync(string secret, string comparand, CancellationToken cancellationToken = default) =>
        comparand.StartsWith(ConfiguredClients.SecretPrefix, StringComparison.Ordinal)
            ? new(CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(ConfiguredClients.Digest(secret)),
                Encoding.ASCII.GetBytes(comparand[ConfiguredClients.SecretPrefix.Length..])))
            : base.ValidateClientSecretAsync(secret, comparand, cancellationToken);
}
