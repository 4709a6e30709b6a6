using System.Text;
using McpAspire.AuthorizationServer.Pages;
using Microsoft.AspNetCore.Antiforgery;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpAspire.AuthorizationServer.Authorization;

/// <summary>
/// What the user approves: which application (its name and the host its answer goes to), for which MCP server, with
/// which tools. The form posts back only the cached request's reference and the user's answer, with an anti-forgery
/// token, so no other site can answer for the user.
/// </summary>
internal static class ConsentPage
{
    public static IResult Render(HttpContext context, IAntiforgery antiforgery, OpenIddictRequest request, string? displayName,
        IReadOnlyList<string> resources, IReadOnlySet<string> scopes)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var redirectHost = Uri.TryCreate(request.RedirectUri, UriKind.Absolute, out var redirect) ? redirect.Authority : request.RedirectUri;
        var body = new StringBuilder()
            .Append("<p><strong>").Append(HtmlPage.Encode(displayName ?? request.ClientId)).Append("</strong> wants to act for you")
            .Append(resources.Count > 0 ? " on <code>" + HtmlPage.Encode(string.Join(", ", resources)) + "</code>" : "").Append(".</p>")
            .Append("<p>Client id: <code>").Append(HtmlPage.Encode(request.ClientId)).Append("</code><br>")
            .Append("Its answer goes to: <code>").Append(HtmlPage.Encode(redirectHost)).Append("</code></p>")
            .Append("<p>It asks for:</p><ul>");
        foreach (var scope in scopes.Order(StringComparer.Ordinal))
        {
            body.Append("<li>").Append(HtmlPage.Encode(Describe(scope))).Append("</li>");
        }

        body.Append("</ul>")
            .Append("<form method=\"post\" action=\"").Append(HtmlPage.Encode($"{context.Request.PathBase}{AuthorizeEndpoint.Path}")).Append("\">")
            .Append(Hidden(tokens.FormFieldName, tokens.RequestToken))
            .Append(Hidden(Parameters.ClientId, request.ClientId))
            .Append(Hidden(Parameters.RequestUri, request.RequestUri))
            .Append("<button type=\"submit\" name=\"").Append(AuthorizeEndpoint.ConsentField).Append("\" value=\"allow\">Allow</button>")
            .Append("<button type=\"submit\" name=\"").Append(AuthorizeEndpoint.ConsentField).Append("\" value=\"deny\">Deny</button>")
            .Append("</form>");
        return HtmlPage.Render("Allow access?", body.ToString());
    }

    private static string Describe(string scope) => scope switch
    {
        "*" => "every tool",
        Scopes.OfflineAccess => "staying signed in (refresh tokens)",
        Scopes.OpenId or Scopes.Profile or Scopes.Email => $"your {scope} details",
        _ => $"the tool '{scope}'",
    };

    private static string Hidden(string? name, string? value) =>
        $"<input type=\"hidden\" name=\"{HtmlPage.Encode(name)}\" value=\"{HtmlPage.Encode(value)}\">";
}
