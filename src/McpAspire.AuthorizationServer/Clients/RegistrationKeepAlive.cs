using McpAspire.AuthorizationServer.Stores;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace McpAspire.AuthorizationServer.Clients;

/// <summary>
/// A dynamically registered client that is issued a code or a token is kept another
/// <see cref="DynamicRegistrationOptions.UnusedLifetime"/>; requests that issue nothing (a wrong code, an abandoned
/// sign-in) do not keep it. Written at most once per tenth of the lifetime.
/// </summary>
internal sealed class RegistrationKeepAlive(IOpenIddictApplicationStore<OAuthApplication> store, TimeProvider time, IOptions<AuthServerOptions> options)
    : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
        .UseSingletonHandler<RegistrationKeepAlive>()
        .SetOrder(int.MaxValue - 100_000)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        var lifetime = options.Value.DynamicRegistration.UnusedLifetime;
        var now = time.GetUtcNow();
        if (context.IsRejected || context.ClientId is not { Length: > 0 } clientId ||
            await store.FindByClientIdAsync(clientId, context.CancellationToken) is not { Source: ClientSources.DynamicRegistration, ExpiresAt: { } expires } client ||
            expires - now >= lifetime * 0.9)
        {
            return;
        }

        client.ExpiresAt = now + lifetime;
        try
        {
            await store.UpdateAsync(client, context.CancellationToken);
        }
        catch (OpenIddictExceptions.ConcurrencyException)
        {
            // Another request extended it at the same moment.
        }
    }
}
