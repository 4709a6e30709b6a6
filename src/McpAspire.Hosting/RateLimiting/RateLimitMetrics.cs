using System.Diagnostics.Metrics;
using McpAspire.Abstractions;

namespace McpAspire.Hosting.RateLimiting;

/// <summary>What an operator watches of the rate limiter: checks served locally because Redis was unreachable, and refusals.</summary>
internal sealed class RateLimitMetrics
{
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _rejections;

    public RateLimitMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(McpAspireTelemetry.Name);
        _fallbacks = meter.CreateCounter<long>("mcpaspire.ratelimit.fallbacks", description: "Rate-limit checks answered by the local limiter because Redis was unreachable.");
        _rejections = meter.CreateCounter<long>("mcpaspire.ratelimit.rejections", description: "Tool calls refused by the rate limiter.");
    }

    public void RateLimitFallback() => _fallbacks.Add(1);

    public void RateLimitRejected(string transport, string tool) =>
        _rejections.Add(1, new KeyValuePair<string, object?>("mcp.transport", transport), new KeyValuePair<string, object?>("gen_ai.tool.name", tool));
}
