using System.Diagnostics.Metrics;
using McpAspire.Abstractions;
using McpAspire.State.Resilience;

namespace McpAspire.State;

/// <summary>What an operator watches of the shared state itself: whether calls to Redis fail fast (the circuit is open).</summary>
internal static class StateMetrics
{
    /// <summary>Reports <paramref name="resilience"/>'s circuit as <c>mcpaspire.redis.circuit.open</c>, and returns it.</summary>
    public static RedisResilience Observed(RedisResilience resilience, IMeterFactory meterFactory)
    {
        meterFactory.Create(McpAspireTelemetry.Name).CreateObservableGauge("mcpaspire.redis.circuit.open", () => resilience.IsBroken ? 1 : 0,
            description: "1 while calls to Redis fail fast (the circuit is open) and the host runs on its fallbacks, else 0.");
        return resilience;
    }
}
