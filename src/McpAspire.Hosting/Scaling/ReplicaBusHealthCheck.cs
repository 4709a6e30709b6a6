using McpAspire.Hosting.Scaling;
using McpAspire.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// A replica starting is ready once it listens for the posts other replicas route to it (a legacy SSE stream it holds
/// gets its client's posts that way): until then a post sent to it would go unheard. A replica that started while Redis
/// was unreachable serves without it, and <c>redis-state</c> says so: this check never takes it out of rotation later.
/// </summary>
internal sealed class ReplicaBusHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(McpStateServices.Redis(services) is { IsConnected: true } && services.GetRequiredService<ReplicaBus>().IsStarting
            ? HealthCheckResult.Unhealthy("Starting: not yet listening for the posts other replicas route here.")
            : HealthCheckResult.Healthy());
}
