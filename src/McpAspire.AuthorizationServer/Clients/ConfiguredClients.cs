using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using McpAspire.AuthorizationServer.Stores;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpAspire.AuthorizationServer.Clients;

/// <summary>
/// The clients <c>McpAspire:AuthServer:Clients</c> registers, served from configuration and never stored. A confidential
/// one's secret is kept only as its SHA-256 (<see cref="SecretPrefix"/>), compared in constant time.
/// </summary>
internal sealed class ConfiguredClients(IOptions<AuthServerOptions> options)
{
    public const string SecretPrefix = "configured-sha256:";

    private readonly Dictionary<string, OAuthApplication> _clients = options.Value.Clients.ToDictionary(
        pair => pair.Key,
        pair =>
        {
            var client = ClientPermissions.Public(pair.Key, pair.Value.DisplayName ?? pair.Key, [.. pair.Value.RedirectUris], ClientSources.Configuration);
            if (pair.Value.Secret is { Length: > 0 } secret)
            {
                client.ClientType = ClientTypes.Confidential;
                client.ClientSecret = SecretPrefix + Digest(secret);
                client.Requirements = [];
            }

            client.ConsentType = pair.Value.RequireConsent ? ConsentTypes.Explicit : ConsentTypes.Implicit;
            if (pair.Value.AccessTokenLifetime is { } lifetime)
            {
                client.Settings[Settings.TokenLifetimes.AccessToken] = lifetime.ToString("c", CultureInfo.InvariantCulture);
            }

            return client;
        },
        StringComparer.Ordinal);

    public OAuthApplication? Find(string clientId) => _clients.GetValueOrDefault(clientId);

    public static string Digest(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
