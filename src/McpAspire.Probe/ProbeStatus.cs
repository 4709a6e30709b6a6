using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpAspire.Probe;

/// <summary>The last result per transport: what <c>/status</c> shows and what the probe's health reports.</summary>
internal sealed class ProbeStatus : IHealthCheck
{
    private readonly ConcurrentDictionary<string, TransportResult> _results = new();

    public IReadOnlyDictionary<string, TransportResult> Results => _results;

    public void Record(TransportResult result) => _results[result.Transport] = result;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failing = _results.Values.Where(r => !r.Succeeded).Select(r => r.Transport).ToList();
        // Starting is not failing: Degraded (a warning, not an error in the dashboard) until the first round has finished.
        return Task.FromResult(_results.IsEmpty
            ? HealthCheckResult.Degraded("Starting: no probe round has finished yet.")
            : failing.Count == 0
                ? HealthCheckResult.Healthy($"All {_results.Count} transports answered.")
                : HealthCheckResult.Unhealthy($"Failing: {string.Join(", ", failing)}."));
    }
}
