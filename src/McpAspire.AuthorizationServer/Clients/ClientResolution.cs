using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace McpAspire.AuthorizationServer.Clients;

/// <summary>
/// Runs before OpenIddict looks a client up, at every endpoint a client calls: a client id that is a URL gets its
/// metadata document fetched (or a fresh copy, <see cref="ClientMetadataDocuments"/>), and the request is refused with
/// what is wrong with it.
/// </summary>
internal sealed class ClientResolution(ClientMetadataDocuments documents) : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
        .UseSingletonHandler<ClientResolution>()
        .SetOrder(OpenIddictServerHandlers.ValidateClientId.Descriptor.Order - 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        if (context.EndpointType is not (OpenIddictServerEndpointType.Authorization or OpenIddictServerEndpointType.Token or OpenIddictServerEndpointType.Revocation) ||
            context.ClientId is not { Length: > 0 } clientId)
        {
            return;
        }

        if (documents.Enabled && ClientMetadataDocuments.IsDocumentUrl(clientId))
        {
            if (await documents.EnsureRegisteredAsync(clientId, context.CancellationToken) is { } problem)
            {
                context.Reject(
                    context.EndpointType == OpenIddictServerEndpointType.Authorization ? Errors.InvalidRequest : Errors.InvalidClient,
                    $"The client metadata document at {clientId} {problem}.");
            }

            return;
        }
    }
}
