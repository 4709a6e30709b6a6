using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpAspire.AuthorizationServer.Keys;

/// <summary>Ready once the signing keys are loaded: before that the server can issue nothing.</summary>
internal sealed class SigningKeysHealthCheck(SigningKeyRing ring) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(ring.IsLoaded ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The signing keys are not loaded yet (Redis unreachable since start?)."));
}
