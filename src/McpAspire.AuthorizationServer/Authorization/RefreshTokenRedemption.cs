using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace McpAspire.AuthorizationServer.Authorization;

/// <summary>
/// A refresh token is redeemed before anything is issued for it, by a compare-and-set on its record. Any second use (later,
/// or at the same moment on one replica or two) is refused and revokes the family whole: its tokens and its
/// authorization, so that a token issued to the first use after the revocation is refused at its own first use.
/// OpenIddict marks refresh tokens redeemed only after issuing and lets a concurrent second use through; its own reuse
/// check is left to this one (the server's reuse leeway covers every reuse).
/// </summary>
internal sealed class RefreshTokenRedemption(IOpenIddictTokenManager tokens, IOpenIddictAuthorizationManager authorizations) : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
        .UseScopedHandler<RefreshTokenRedemption>()
        .SetOrder(GrantedResourceCheck.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (!context.Request.IsRefreshTokenGrantType() || context.IsRejected || context.RefreshTokenPrincipal?.GetTokenId() is not { } id)
        {
            return;
        }

        var token = await tokens.FindByIdAsync(id, context.CancellationToken);
        if (token is not null && await tokens.HasStatusAsync(token, Statuses.Valid, context.CancellationToken) &&
            await tokens.TryRedeemAsync(token, context.CancellationToken))
        {
            return;
        }

        // The family's authorization too: a token the winner of the race is issued after this is refused at its first use.
        if (context.RefreshTokenPrincipal.GetAuthorizationId() is { } family)
        {
            await tokens.RevokeByAuthorizationIdAsync(family, context.CancellationToken);
            if (await authorizations.FindByIdAsync(family, context.CancellationToken) is { } authorization)
            {
                await authorizations.TryRevokeAsync(authorization, context.CancellationToken);
            }
        }

        context.Reject(Errors.InvalidGrant, "The specified refresh token has already been redeemed.");
    }
}
