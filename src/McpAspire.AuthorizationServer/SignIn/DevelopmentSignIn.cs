using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using McpAspire.AuthorizationServer.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace McpAspire.AuthorizationServer.SignIn;

/// <summary>
/// Development only: this server signs users in itself, with the named users of <see cref="AuthServerOptions.Users"/>
/// (a password that is not configured is the user's name), on a plain form at <c>/account/login</c> whose fields are
/// <c>username</c> and <c>password</c>. A stand-in upstream for a machine with no cloud; the options validator refuses it
/// outside Development.
/// </summary>
internal sealed partial class DevelopmentSignIn(IOptions<AuthServerOptions> options, ILogger<DevelopmentSignIn> logger) : ISignInSource
{
    public const string Path = "/account/login";

    public IResult Challenge(HttpContext context, string returnUrl) =>
        Results.Redirect($"{context.Request.PathBase}{Path}?returnUrl={Uri.EscapeDataString(returnUrl)}");

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, (HttpContext context, IAntiforgery antiforgery, string? returnUrl) => Form(context, antiforgery, returnUrl, null, StatusCodes.Status200OK));
        endpoints.MapPost(Path, (HttpContext context, IAntiforgery antiforgery, DevelopmentSignIn signIn) => signIn.SignInAsync(context, antiforgery));
    }

    private async Task<IResult> SignInAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!context.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(context))
        {
            return HtmlPage.Render("Sign-in refused", "<p class=\"error\">The form was not this server's own (its anti-forgery token is missing or wrong). Start again from your application.</p>", StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var username = form["username"].ToString();
        var returnUrl = form["returnUrl"].ToString();
        if (!options.Value.Users.TryGetValue(username, out var user) || !PasswordMatches(form["password"].ToString(), user.Password ?? username))
        {
            Log.Refused(logger, username.Length <= 64 ? username : username[..64]);
            return Form(context, antiforgery, returnUrl, "The user name or the password is not right.", StatusCodes.Status401Unauthorized);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(UserCookie.SubjectClaim, username),
                new Claim(UserCookie.NameClaim, user.Name ?? username),
                new Claim(UserCookie.EmailClaim, user.Email ?? $"{username}@example.test"),
            ],
            UserCookie.Scheme, UserCookie.NameClaim, null);
        await context.SignInAsync(UserCookie.Scheme, new ClaimsPrincipal(identity));
        Log.SignedIn(logger, username);
        return Results.Redirect(LocalUrl.IsLocal(returnUrl) ? returnUrl : "/");
    }

    /// <summary>Compared by their SHA-256 in constant time: neither the length nor the content of the right one leaks through timing.</summary>
    private static bool PasswordMatches(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static IResult Form(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? error, int statusCode)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var body = new StringBuilder()
            .Append("<p>Development sign-in: this form stands in for your organization's identity provider.</p>");
        if (error is not null)
        {
            body.Append("<p class=\"error\">").Append(HtmlPage.Encode(error)).Append("</p>");
        }

        body.Append("<form method=\"post\" action=\"").Append(HtmlPage.Encode($"{context.Request.PathBase}{Path}")).Append("\">")
            .Append("<input type=\"hidden\" name=\"").Append(HtmlPage.Encode(tokens.FormFieldName)).Append("\" value=\"").Append(HtmlPage.Encode(tokens.RequestToken)).Append("\">")
            .Append("<input type=\"hidden\" name=\"returnUrl\" value=\"").Append(HtmlPage.Encode(returnUrl)).Append("\">")
            .Append("<label for=\"username\">User name</label><input id=\"username\" name=\"username\" autocomplete=\"username\" required>")
            .Append("<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>")
            .Append("<button type=\"submit\">Sign in</button></form>");
        return HtmlPage.Render("Sign in", body.ToString(), statusCode);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Development sign-in of {User}.")]
        public static partial void SignedIn(ILogger logger, string user);

        [LoggerMessage(2, LogLevel.Information, "Development sign-in refused for {User}: wrong user name or password.")]
        public static partial void Refused(ILogger logger, string user);
    }
}
