using System.Security.Claims;
using McpAspire.AuthorizationServer.Pages;
using McpAspire.AuthorizationServer.SignIn;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpAspire.AuthorizationServer.Authorization;

/// <summary>
/// The authorization endpoint, after OpenIddict has checked the request (client, redirect URI, PKCE S256, resource) and
/// cached it (the browser is at <c>/connect/authorize?client_id=…&amp;request_uri=…</c>): signs the user in if needed,
/// grants the scopes the resource offers and the client asked for, asks the user's consent once per client and user (a
/// form whose button <c>consent</c> is <c>allow</c> or <c>deny</c>), and issues a code whose token is for exactly the one
/// resource named.
/// </summary>
internal sealed partial class AuthorizeEndpoint(
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    ResourceScopes resourceScopes,
    ISignInSource signIn,
    IAntiforgery antiforgery,
    IOptions<AuthServerOptions> options,
    ILogger<AuthorizeEndpoint> logger)
{
    public const string Path = "/connect/authorize";
    public const string ConsentField = "consent";

    /// <summary>How a consent records the resource it was given for, among its scopes.</summary>
    private const string ConsentResourcePrefix = "resource:";

    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post], (HttpContext context, AuthorizeEndpoint endpoint) => endpoint.HandleAsync(context));

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict did not handle this authorization request.");
        if (UpstreamFailure.Take(context, AuthServerCookies.NameOf(options.Value)) is { } failure)
        {
            return Deny(Errors.AccessDenied, $"Signing in at the identity provider failed ({failure}).");
        }

        var user = await context.AuthenticateAsync(UserCookie.Scheme);
        var subject = user.Principal?.FindFirst(UserCookie.SubjectClaim)?.Value;
        if (!user.Succeeded || subject is null)
        {
            return request.HasPromptValue(PromptValues.None)
                ? Deny(Errors.LoginRequired, "The user is not signed in, and prompt=none forbids asking.")
                : signIn.Challenge(context, $"{context.Request.PathBase}{Path}{QueryString.Create([
                    new KeyValuePair<string, string?>(Parameters.ClientId, request.ClientId), new KeyValuePair<string, string?>(Parameters.RequestUri, request.RequestUri)])}");
        }

        if (await applications.FindByClientIdAsync(request.ClientId!, cancellationToken) is not { } application)
        {
            return Deny(Errors.InvalidClient, "The client's registration lapsed during the sign-in: register again.");
        }

        var applicationId = (await applications.GetIdAsync(application, cancellationToken))!;

        var resources = request.GetResources();
        if (options.Value.Resources.Count > 0 && resources.Length != 1)
        {
            return Deny(Errors.InvalidTarget, resources.Length == 0
                ? "Name the MCP server the token is for with the 'resource' parameter (RFC 8707)."
                : "Name one resource per authorization: a token's audience is exactly one MCP server.");
        }

        HashSet<string> offered = [.. options.Value.Scopes, Scopes.OfflineAccess];
        if (resources is [var resource])
        {
            offered.UnionWith(await resourceScopes.OfAsync(resource, cancellationToken));
        }

        var requested = request.GetScopes();
        if (requested.Where(scope => !offered.Contains(scope)).ToList() is { Count: > 0 } unknown)
        {
            return Deny(Errors.InvalidScope, $"Not a scope of this server or of the resource: {string.Join(' ', unknown)}.");
        }

        // Refresh tokens for every client registered for them: the TypeScript SDK's client never asks for offline_access.
        HashSet<string> granted = [.. requested];
        if (await applications.HasPermissionAsync(application, Permissions.GrantTypes.RefreshToken, cancellationToken))
        {
            granted.Add(Scopes.OfflineAccess);
        }

        // A consent is to a client, for a resource, with scopes: the resource is kept among its scopes, so one approved for one
        // MCP server is not taken for another.
        string[] consented = [.. granted, .. resources.Select(uri => ConsentResourcePrefix + uri)];
        if (await applications.HasConsentTypeAsync(application, ConsentTypes.Explicit, cancellationToken) &&
            (request.HasPromptValue(PromptValues.Consent) ||
             !await authorizations.FindAsync(subject, applicationId, Statuses.Valid, AuthorizationTypes.Permanent, [.. consented], cancellationToken).AnyAsync(cancellationToken)))
        {
            var decision = context.Request.HasFormContentType ? (await context.Request.ReadFormAsync(cancellationToken))[ConsentField].ToString() : "";
            if (decision is not ("allow" or "deny"))
            {
                return request.HasPromptValue(PromptValues.None)
                    ? Deny(Errors.ConsentRequired, "The user has not approved this application, and prompt=none forbids asking.")
                    : ConsentPage.Render(context, antiforgery, request, await applications.GetDisplayNameAsync(application, cancellationToken), resources, granted);
            }

            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return HtmlPage.Render("Consent refused", "<p class=\"error\">The answer did not come from this server's own consent page (its anti-forgery token is missing or wrong). Start again from your application.</p>", StatusCodes.Status400BadRequest);
            }

            if (decision == "deny")
            {
                Log.Declined(logger, subject, request.ClientId!);
                return Deny(Errors.AccessDenied, "The user declined to let this application act for them.");
            }

            await authorizations.CreateAsync(new ClaimsIdentity(), subject, applicationId, AuthorizationTypes.Permanent, [.. consented], cancellationToken);
            Log.Approved(logger, subject, request.ClientId!, string.Join(' ', granted));
        }

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, subject)
            .SetClaim(Claims.Name, user.Principal!.FindFirst(UserCookie.NameClaim)?.Value)
            .SetClaim(Claims.Email, user.Principal.FindFirst(UserCookie.EmailClaim)?.Value);
        identity.SetScopes(granted);
        identity.SetResources(resources);
        identity.SetDestinations(static _ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>An error OpenIddict sends back to the client's redirect URI with the request's state.</summary>
    private static IResult Deny(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Subject} approved client {ClientId} for {Scopes}.")]
        public static partial void Approved(ILogger logger, string subject, string clientId, string scopes);

        [LoggerMessage(2, LogLevel.Information, "{Subject} declined client {ClientId}.")]
        public static partial void Declined(ILogger logger, string subject, string clientId);
    }
}
