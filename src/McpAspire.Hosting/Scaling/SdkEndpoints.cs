using System.Security.Claims;
using System.Text;
using McpAspire.Hosting.Http;
using McpAspire.Hosting.Scaling;
using McpAspire.Hosting.Security;
using McpAspire.Hosting.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// Hands a message that arrived through another replica to the SDK's own endpoint in this process, as if its HTTP
/// request had come here: the SDK keeps every rule (session lookup, user check, parsing), and nothing is re-implemented.
/// </summary>
internal sealed class SdkEndpoints(EndpointDataSource endpoints, IServiceScopeFactory scopes)
{
    private const string ForwardedAuthenticationType = "McpAspire.Replica";

    public Task<ForwardedAnswer> PostLegacyMessageAsync(SessionMessage message) =>
        InvokeAsync(HttpMethods.Post, McpHttpPaths.SdkLegacyMessage, message, context =>
            context.Request.QueryString = QueryString.Create("sessionId", message.SessionId));

    public Task<ForwardedAnswer> PostStreamableAsync(SessionMessage message) =>
        InvokeAsync(HttpMethods.Post, McpHttpPaths.Mcp, message, context => context.Request.Headers.Accept = "application/json, text/event-stream");

    public Task<ForwardedAnswer> DeleteStreamableAsync(SessionMessage message) =>
        InvokeAsync(HttpMethods.Delete, McpHttpPaths.Mcp, message, _ => { });

    /// <summary>The sender, rebuilt from the claim the SDK binds sessions to and its tool scopes; anonymous when there was none.</summary>
    public static ClaimsPrincipal UserOf(SessionMessage message) =>
        message.User is not { } user
            ? new ClaimsPrincipal(new ClaimsIdentity())
            : new ClaimsPrincipal(new ClaimsIdentity(
                [
                    new Claim(user.ClaimType, user.Value, ClaimValueTypes.String, user.Issuer),
                    .. (message.Scopes ?? []).Select(scope => new Claim(ToolScopes.ClaimType, scope)),
                ],
                ForwardedAuthenticationType));

    /// <summary>What another replica needs to know of this request's sender: its user claim and scopes, never its credentials.</summary>
    public static SessionMessage MessageFrom(HttpContext context, string sessionId, string? body) =>
        SessionUserOf(context.User) is { } user
            ? new SessionMessage(sessionId, body, user, [.. ToolScopes.Of(context.User)])
            : new SessionMessage(sessionId, body, null);

    /// <summary>The claim the SDK binds a session to (name identifier, else <c>sub</c>, else UPN), as it reads it.</summary>
    public static SessionUser? SessionUserOf(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated is true &&
        (user.FindFirst(ClaimTypes.NameIdentifier) ?? user.FindFirst("sub") ?? user.FindFirst(ClaimTypes.Upn)) is { } claim
            ? new SessionUser(claim.Type, claim.Value, claim.Issuer)
            : null;

    private async Task<ForwardedAnswer> InvokeAsync(string method, string path, SessionMessage message, Action<HttpContext> configure)
    {
        var endpoint = Find(method, path);
        await using var scope = scopes.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider, User = UserOf(message) };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Headers[McpHeaders.SessionId] = message.SessionId;
        if (message.Body is { } body)
        {
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        }

        configure(context);
        using var response = new MemoryStream();
        context.Response.Body = response;
        context.SetEndpoint(endpoint);
        await endpoint.RequestDelegate!(context);
        return new ForwardedAnswer(context.Response.StatusCode, context.Response.ContentType ?? "", Encoding.UTF8.GetString(response.ToArray()));
    }

    private RouteEndpoint Find(string method, string path) =>
        endpoints.Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e =>
            string.Equals(e.RoutePattern.RawText?.Trim('/'), path.Trim('/'), StringComparison.Ordinal) &&
            e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase) is true)
        ?? throw new InvalidOperationException($"The MCP endpoint {method} {path} is not mapped.");
}
