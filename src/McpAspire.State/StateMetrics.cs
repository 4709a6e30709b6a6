using System.Diagnostics.Metrics;

namespace McpAspire.State;

/// <summary>Counters an operator watches: rate-limit checks served locally because Redis was unreachable, and rejections.</summary>
public sealed class StateMetrics
{
    public const string MeterName = "McpAspire";

    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _rejections;

    public StateMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _fallbacks = meter.CreateCounter<long>("mcpaspire.ratelimit.fallbacks", description: "Rate-limit checks answered by the local limiter because Redis was unreachable.");
        _rejections = meter.CreateCounter<long>("mcpaspire.ratelimit.rejections", description: "Tool calls refused by the rate limiter.");
    }

    public void RateLimitFallback() => _fallbacks.Add(1);

    public void RateLimitRejected(string transport, string tool) =>
        _rejections.Add(1, new KeyValuePair<string, object?>("mcp.transport", transport), new KeyValuePair<string, object?>("gen_ai.tool.name", tool));
}
