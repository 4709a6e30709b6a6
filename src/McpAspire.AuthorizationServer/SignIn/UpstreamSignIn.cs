using System.Security.Claims;
using McpAspire.AuthorizationServer.Pages;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Client.AspNetCore;

namespace McpAspire.AuthorizationServer.SignIn;

/// <summary>
/// Sign-in federated to the upstream OpenID Connect provider through OpenIddict's client: the browser goes to the
/// upstream with this server's own client id and its one fixed callback (never an MCP client's redirect), and comes back
/// with an ID token whose subject, name and email become the user here. The upstream's tokens go no further: nothing of
/// them is kept but those three claims.
/// </summary>
internal sealed partial class UpstreamSignIn(IOptions<AuthServerOptions> options, ILogger<UpstreamSignIn> logger) : ISignInSource
{
    public const string ProviderName = "upstream";
    public const string CallbackPath = "callback/login/upstream";

    public IResult Challenge(HttpContext context, string returnUrl) => Results.Challenge(
        new AuthenticationProperties(new Dictionary<string, string?> { [OpenIddictClientAspNetCoreConstants.Properties.ProviderName] = ProviderName })
        {
            RedirectUri = returnUrl,
        },
        [OpenIddictClientAspNetCoreDefaults.AuthenticationScheme]);

    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapMethods("/" + CallbackPath, [HttpMethods.Get, HttpMethods.Post], (HttpContext context, UpstreamSignIn signIn) => signIn.CallbackAsync(context));

    private async Task<IResult> CallbackAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme);
        var returnUrl = result.Properties?.RedirectUri;
        var subject = result.Principal?.FindFirst(options.Value.Upstream.SubjectClaim)?.Value;
        if (!result.Succeeded || result.Principal is null || string.IsNullOrEmpty(subject))
        {
            var reason = result.Properties?.GetString(OpenIddictClientAspNetCoreConstants.Properties.Error) is { } error
                ? $"{error}: {result.Properties.GetString(OpenIddictClientAspNetCoreConstants.Properties.ErrorDescription)}"
                : result.Failure?.Message ?? $"the upstream's ID token has no '{options.Value.Upstream.SubjectClaim}' claim";
            Log.Failed(logger, reason);
            if (LocalUrl.IsLocal(returnUrl))
            {
                UpstreamFailure.Remember(context, AuthServerCookies.NameOf(options.Value), reason);
                return Results.Redirect(returnUrl!);
            }

            return HtmlPage.Render("Sign-in failed", $"<p class=\"error\">Signing in at {HtmlPage.Encode(options.Value.Upstream.DisplayName)} failed: {HtmlPage.Encode(reason)}</p>", StatusCodes.Status400BadRequest);
        }

        var principal = result.Principal;
        var name = principal.FindFirst("name")?.Value ?? principal.FindFirst("preferred_username")?.Value ?? subject;
        List<Claim> claims = [new(UserCookie.SubjectClaim, subject), new(UserCookie.NameClaim, name)];
        if (principal.FindFirst("email")?.Value is { } email)
        {
            claims.Add(new Claim(UserCookie.EmailClaim, email));
        }

        await context.SignInAsync(UserCookie.Scheme, new ClaimsPrincipal(new ClaimsIdentity(claims, UserCookie.Scheme, UserCookie.NameClaim, null)));
        Log.SignedIn(logger, subject);
        return Results.Redirect(LocalUrl.IsLocal(returnUrl) ? returnUrl! : "/");
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Signed in {Subject} through the upstream provider.")]
        public static partial void SignedIn(ILogger logger, string subject);

        [LoggerMessage(2, LogLevel.Information, "Sign-in through the upstream provider failed: {Reason}")]
        public static partial void Failed(ILogger logger, string reason);
    }
}
