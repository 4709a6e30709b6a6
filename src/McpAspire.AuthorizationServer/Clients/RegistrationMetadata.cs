using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace McpAspire.AuthorizationServer.Clients;

/// <summary>Tells clients, in the server's metadata (RFC 8414 and OpenID discovery alike), how they may register: by metadata document, by Dynamic Client Registration.</summary>
internal sealed class RegistrationMetadata(IOptions<AuthServerOptions> options) : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
        .UseSingletonHandler<RegistrationMetadata>()
        .SetOrder(OpenIddictServerHandlers.Discovery.AttachAdditionalMetadata.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        context.Metadata["client_id_metadata_document_supported"] = options.Value.ClientMetadataDocuments.Enabled;
        if (options.Value.DynamicRegistration.Enabled && context.Issuer is { } issuer)
        {
            context.Metadata["registration_endpoint"] = new Uri(issuer, RegistrationEndpoint.Path.TrimStart('/')).AbsoluteUri;
        }

        return default;
    }
}
