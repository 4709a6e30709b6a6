using McpAspire.State.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace McpAspire.State;

/// <summary>
/// Degraded, not Unhealthy, while Redis is unreachable: the host still answers (local rate limits, clear errors for
/// what needs the shared state), so a platform must not take it out of rotation, but an operator must see it.
/// </summary>
internal sealed class RedisStateHealthCheck(IConnectionMultiplexer redis, RedisResilience resilience) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Through the shared breaker: once Redis is back, this ping is the trial call that closes the circuit, so a
            // replica nobody is calling still reports its recovery.
            var latency = await resilience.ExecuteAsync(async _ => await redis.GetDatabase().PingAsync(), cancellationToken);
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:F1} ms.");
        }
        catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
        {
            return HealthCheckResult.Degraded("Redis is unreachable: rate limits are per replica and the shared state is unavailable.", ex);
        }
    }
}
