using McpAspire.State.Replicas;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// A replica is ready once it listens for the posts other replicas route to it (a legacy SSE stream it holds gets its
/// client's posts that way): until then a post sent to it would go unheard. While Redis is unreachable it says nothing:
/// the replica serves without it, and <c>redis-state</c> says so.
/// </summary>
internal sealed class ReplicaBusHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(services.GetService<IConnectionMultiplexer>() is { IsConnected: true } && !services.GetRequiredService<ReplicaBus>().IsListening
            ? HealthCheckResult.Unhealthy("Not yet listening for the posts other replicas route here.")
            : HealthCheckResult.Healthy());
}
