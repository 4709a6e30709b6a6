using McpAspire.Tools;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.State.RateLimiting;

/// <summary>
/// Enforces the shared limit inside the MCP server, for transports with no HTTP edge (stdio): a refused call is a
/// JSON-RPC error whose data carries the retry time. The HTTP hosts enforce it before the SDK instead, with 429.
/// </summary>
internal static class RateLimitCallToolFilter
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            var services = request.Services ?? request.Server.Services!;
            var limiter = (McpRateLimiter)services.GetService(typeof(McpRateLimiter))!;
            var tool = request.Params?.Name;
            if (tool is not null && limiter.Enabled)
            {
                var caller = ((IMcpCallerAccessor)services.GetService(typeof(IMcpCallerAccessor))!).GetCaller(request.Server, request.User);
                var decision = await limiter.AcquireAsync(caller.Principal, tool, cancellationToken);
                if (!decision.Allowed)
                {
                    ((StateMetrics)services.GetService(typeof(StateMetrics))!).RateLimitRejected(caller.Transport, tool);
                    var error = new McpProtocolException(
                        $"Rate limit exceeded for '{tool}': {decision.Limit} calls per window. Retry after {decision.RetryAfterSeconds} s.",
                        McpAspireErrorCodes.RateLimited);
                    error.Data["retryAfterSeconds"] = decision.RetryAfterSeconds;
                    error.Data["limit"] = decision.Limit;
                    error.Data["tool"] = tool;
                    throw error;
                }
            }

            return await next(request, cancellationToken);
        };
}
