using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace McpAspire.AuthorizationServer.Keys;

/// <summary>
/// Gives OpenIddict the ring's keys, and has its options built again whenever the ring changes, so a rotation takes
/// effect without a restart. The first build waits for the ring's first load.
/// </summary>
internal sealed class SigningKeysSetup(SigningKeyRing ring) : IConfigureOptions<OpenIddictServerOptions>, IOptionsChangeTokenSource<OpenIddictServerOptions>
{
    public string Name => Options.DefaultName;

    public void Configure(OpenIddictServerOptions options)
    {
        if (!ring.IsLoaded)
        {
            // Only before the start-up refresh has run (or while Redis is unreachable): options are first read by a request.
            ring.RefreshAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        options.SigningCredentials.AddRange(ring.Keys.Select(key =>
            new SigningCredentials(new X509SecurityKey(key.Certificate, key.KeyId), SecurityAlgorithms.RsaSha256)));
    }

    public IChangeToken GetChangeToken() => ring.ChangeToken;
}
