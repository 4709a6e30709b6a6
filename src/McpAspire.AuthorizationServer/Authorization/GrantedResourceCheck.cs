using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace McpAspire.AuthorizationServer.Authorization;

/// <summary>
/// A token request's <c>resource</c> (RFC 8707) must be one the code or refresh token was granted for: a token is never
/// issued for another MCP server than the one the user approved. OpenIddict checks the request's resources against the
/// server's list, not against the grant.
/// </summary>
internal sealed class GrantedResourceCheck : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
        .UseSingletonHandler<GrantedResourceCheck>()
        .SetOrder(OpenIddictServerHandlers.Exchange.ValidateGrantedScopes.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        var requested = context.Request.GetResources();
        if (requested.IsDefaultOrEmpty || (context.AuthorizationCodePrincipal ?? context.RefreshTokenPrincipal) is not { } grant)
        {
            return default;
        }

        var granted = grant.GetResources();
        if (requested.Any(resource => !granted.Contains(resource)))
        {
            context.Reject(Errors.InvalidTarget, "The grant is not for that resource: authorize again to get a token for it.");
        }

        return default;
    }
}
