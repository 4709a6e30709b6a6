using McpAspire.Abstractions;
using McpAspire.State;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.RateLimiting;

/// <summary>
/// Enforces the shared limit inside the MCP server on the stdio transport, which has no HTTP edge: a refused call is a
/// JSON-RPC error whose data carries the retry time. On the HTTP transports the edge enforces it before the SDK, with
/// 429, and this filter passes every call on.
/// </summary>
internal static class RateLimitCallToolFilter
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            var services = request.Services ?? request.Server.Services!;
            var limiter = (McpRateLimiter)services.GetService(typeof(McpRateLimiter))!;
            var tool = request.Params?.Name;
            var features = ((Microsoft.Extensions.Options.IOptions<McpAspireFeatures>)services.GetService(typeof(Microsoft.Extensions.Options.IOptions<McpAspireFeatures>))!).Value;
            if (tool is not null && limiter.Enabled && features.Transport is McpAspireTransport.Stdio)
            {
                var caller = ((IMcpCallerAccessor)services.GetService(typeof(IMcpCallerAccessor))!).GetCaller(request.Server, request.User);
                var decision = await limiter.AcquireAsync(caller.Principal, tool, cancellationToken);
                if (!decision.Allowed)
                {
                    ((RateLimitMetrics)services.GetService(typeof(RateLimitMetrics))!).RateLimitRejected(caller.Transport, tool);
                    var error = new McpProtocolException(decision.Refusal(tool), McpAspireErrorCodes.RateLimited);
                    error.Data["retryAfterSeconds"] = decision.RetryAfterSeconds;
                    error.Data["limit"] = decision.Limit;
                    error.Data["tool"] = tool;
                    throw error;
                }
            }

            return await next(request, cancellationToken);
        };
}
