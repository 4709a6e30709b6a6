using McpAspire.Hosting.Http;
using McpAspire.Hosting.Telemetry;
using McpAspire.State;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.Security;

/// <summary>
/// A <c>tools/call</c> for a tool outside the caller's scopes is refused at the edge with 403 and
/// <c>WWW-Authenticate: Bearer error="insufficient_scope", scope="{tool}"</c>, as MCP's authorization spec asks, so a
/// client can ask its authorization server for that scope. <c>tools/list</c> hides such tools (<see cref="ToolScopes"/>).
/// </summary>
internal sealed class ToolScopeMiddleware(RequestDelegate next, McpHostMetrics metrics)
{
    private const string ResourceMetadataPath = "/.well-known/oauth-protected-resource";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<McpRequestInfo>() is not { Method: RequestMethods.ToolsCall, ToolName: { } tool } info ||
            ToolScopes.Allows(context.User, tool))
        {
            return next(context);
        }

        metrics.Refused("scope");
        if (context.Features.Get<AccessLogEntry>() is { } entry)
        {
            entry.Refusal = "scope";
        }

        var request = context.Request;
        var metadata = $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase}{ResourceMetadataPath}{McpHttpPaths.ResourcePathOf(context)}";
        // The name is the caller's text: it goes into the header only when it is a plain token.
        var scope = tool.Length <= 128 && tool.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? $" scope=\"{tool}\"," : "";
        context.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"insufficient_scope\",{scope} error_description=\"The access does not include this tool.\", resource_metadata=\"{metadata}\"";
        return JsonRpcErrors.WriteAsync(context, StatusCodes.Status403Forbidden, McpAspireErrorCodes.Forbidden,
            $"Forbidden: this principal's scopes do not include the tool '{tool}'.", info.Id);
    }
}
