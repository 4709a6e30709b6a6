using System.Security.Claims;
using McpAspire.State;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Security;

/// <summary>
/// A principal's scopes are the tools it may list and call: an API key's configured <c>Scopes</c>, a token's
/// <c>scope</c> (or <c>scp</c>) claim, space-separated; <c>*</c> grants every tool. A caller that did not authenticate
/// (stdio; a loopback client in Development) is not limited by scope.
/// </summary>
internal static class ToolScopes
{
    public const string ClaimType = "scope";
    public const string All = "*";

    public static bool Allows(ClaimsPrincipal? user, string tool) =>
        user?.Identity?.IsAuthenticated is not true || Of(user).Any(scope => scope == All || scope == tool);

    /// <summary>Every scope value the user carries.</summary>
    public static IEnumerable<string> Of(ClaimsPrincipal user) =>
        user.Claims
            .Where(claim => claim.Type is ClaimType or "scp")
            .SelectMany(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The <c>tools/list</c> filter: an authenticated caller sees only the tools its scopes allow.</summary>
    public static McpRequestHandler<ListToolsRequestParams, ListToolsResult> ListFilter(McpRequestHandler<ListToolsRequestParams, ListToolsResult> next) =>
        async (context, cancellationToken) =>
        {
            var result = await next(context, cancellationToken);
            if (context.User?.Identity?.IsAuthenticated is true)
            {
                result.Tools = [.. result.Tools.Where(tool => Allows(context.User, tool.Name))];
            }

            return result;
        };

    /// <summary>
    /// The <c>tools/call</c> filter: a tool outside the caller's scopes is refused inside the server too, whatever path the
    /// request came by (the edge answers it first with 403 and <c>insufficient_scope</c> when it can).
    /// </summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> CallFilter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (context, cancellationToken) => context.Params?.Name is { } tool && !Allows(context.User, tool)
            ? throw new McpProtocolException($"Forbidden: this principal's scopes do not include the tool '{tool}'.", McpAspireErrorCodes.Forbidden)
            : next(context, cancellationToken);
}
