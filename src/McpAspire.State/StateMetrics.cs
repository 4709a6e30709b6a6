using System.Diagnostics.Metrics;

namespace McpAspire.State;

/// <summary>What an operator watches of the shared state: the Redis circuit, rate-limit checks served locally because Redis was unreachable, and rejections.</summary>
internal sealed class StateMetrics
{
    public const string MeterName = "McpAspire";

    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _rejections;

    public StateMetrics(IMeterFactory meterFactory, Resilience.RedisResilience resilience)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("mcpaspire.redis.circuit.open", () => resilience.IsBroken ? 1 : 0,
            description: "1 while calls to Redis fail fast (the circuit is open) and the host runs on its fallbacks, else 0.");
        _fallbacks = meter.CreateCounter<long>("mcpaspire.ratelimit.fallbacks", description: "Rate-limit checks answered by the local limiter because Redis was unreachable.");
        _rejections = meter.CreateCounter<long>("mcpaspire.ratelimit.rejections", description: "Tool calls refused by the rate limiter.");
    }

    public void RateLimitFallback() => _fallbacks.Add(1);

    public void RateLimitRejected(string transport, string tool) =>
        _rejections.Add(1, new KeyValuePair<string, object?>("mcp.transport", transport), new KeyValuePair<string, object?>("gen_ai.tool.name", tool));
}
