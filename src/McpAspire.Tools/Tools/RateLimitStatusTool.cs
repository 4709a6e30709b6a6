using System.ComponentModel;
using McpAspire.Tools.RateLimits;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Tools;

[McpServerToolType]
public sealed class RateLimitStatusTool(IRateLimitStatusProvider limiter, IMcpCallerAccessor callers)
{
    [McpServerTool(Name = "rate_limit_status", Title = "Rate limit status", ReadOnly = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Reports the caller's remaining quota and when it resets, from the shared rate limiter, without spending any of it.")]
    public async Task<RateLimitStatus> GetAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken) =>
        await limiter.GetStatusAsync(callers.GetCaller(request.Server, request.User).Principal, cancellationToken);
}
