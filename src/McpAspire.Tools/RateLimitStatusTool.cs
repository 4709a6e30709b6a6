using System.ComponentModel;
using McpAspire.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools;

[McpServerToolType]
public sealed class RateLimitStatusTool(IRateLimitStatusProvider limiter, IMcpCallerAccessor callers)
{
    [McpServerTool(Name = "rate_limit_status", Title = "Rate limit status", ReadOnly = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Reports the caller's remaining quota and when it resets, per tool, from the shared rate limiter, without spending any of it.")]
    public async Task<RateLimitReport> GetAsync(
        RequestContext<CallToolRequestParams> request,
        [Description("One tool to report on; every tool when omitted.")] string? tool = null,
        CancellationToken cancellationToken = default)
    {
        var known = request.Server.ServerOptions.ToolCollection?.Select(t => t.ProtocolTool.Name).Order(StringComparer.Ordinal).ToList() ?? [];
        if (tool is not null && !known.Contains(tool, StringComparer.Ordinal))
        {
            throw new McpException($"Argument 'tool': there is no tool named '{tool}'.");
        }

        var principal = callers.GetCaller(request.Server, request.User).Principal;
        var limits = new List<RateLimitStatus>();
        foreach (var name in tool is null ? known : [tool])
        {
            limits.Add(await limiter.GetStatusAsync(principal, name, cancellationToken));
        }

        return new RateLimitReport(principal, limits);
    }
}
