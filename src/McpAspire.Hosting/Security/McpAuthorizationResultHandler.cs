using McpAspire.Hosting.Http;
using McpAspire.Hosting.Telemetry;
using McpAspire.State;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol.AspNetCore.Authentication;

namespace McpAspire.Hosting.Security;

/// <summary>
/// How a refused request is answered: 401 with the SDK's <c>WWW-Authenticate: Bearer resource_metadata=…</c> challenge
/// (plus <c>error="invalid_token"</c> and the reason when credentials were sent, RFC 6750), and a JSON-RPC error body
/// saying what to send; each failure is counted by reason.
/// </summary>
internal sealed class McpAuthorizationResultHandler(McpHostMetrics metrics) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || context.User.Identity?.IsAuthenticated is true)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        // The authentication middleware keeps only successful results; the handler has this request's failure cached.
        var (reason, description) = AuthenticationFailures.Describe(await context.AuthenticateAsync());
        metrics.AuthenticationFailed(reason);
        if (context.Features.Get<AccessLogEntry>() is { } entry)
        {
            entry.Refusal = reason;
        }

        // The SDK names the metadata after the request's path: the resource's own, not the SDK's internal legacy route.
        context.Request.Path = McpHttpPaths.ResourcePathOf(context);
        await context.ChallengeAsync(McpAuthenticationDefaults.AuthenticationScheme);
        if (reason != AuthenticationFailures.MissingCredentials && context.Response.Headers.WWWAuthenticate.ToString() is { } challenge &&
            challenge.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            context.Response.Headers.WWWAuthenticate =
                $"Bearer error=\"invalid_token\", error_description=\"{description}\", {challenge["Bearer ".Length..]}";
        }

        await JsonRpcErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, McpAspireErrorCodes.Unauthorized, $"Unauthorized: {description}");
    }
}
