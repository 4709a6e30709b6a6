using System.Threading.RateLimiting;
using McpAspire.State;
using McpAspire.State.Resilience;

namespace McpAspire.Hosting.RateLimiting;

/// <summary>
/// One partition's limiter: the shared Redis window while Redis answers, and a process-local window with the same
/// limits while it does not (the circuit breaker decides), so callers are still limited, only per replica.
/// </summary>
/// <remarks>With <paramref name="sharedGuardsItself"/>, <paramref name="shared"/> runs its Redis calls under the resilience
/// pipeline itself (<see cref="LeasingRateLimiter"/>, whose callers may wait for a turn first); otherwise the whole
/// acquire runs under it here.</remarks>
internal sealed class FallbackRateLimiter(RateLimiter shared, RateLimiter local, RedisResilience resilience, RateLimitMetrics metrics, bool sharedGuardsItself = false) : RateLimiter
{
    public const string SourceMetadata = "MCPASPIRE_SOURCE";

    public override TimeSpan? IdleDuration => shared.IdleDuration is { } a && local.IdleDuration is { } b ? (a < b ? a : b) : null;

    public override RateLimiterStatistics? GetStatistics() => local.GetStatistics();

    // The synchronous path cannot ask Redis. A permit already leased from it is granted here; otherwise refusing (as
    // RedisFixedWindowRateLimiter does) sends callers such as ASP.NET Core's middleware on to AcquireAsync. Granting from the
    // local window would bypass the shared limit.
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        if (resilience.IsBroken)
        {
            return new SourcedLease(local.AttemptAcquire(permitCount), "local-fallback");
        }

        var leased = shared.AttemptAcquire(permitCount);
        if (leased.IsAcquired)
        {
            return new SourcedLease(leased, "redis");
        }

        leased.Dispose();
        return EmptyLease.Refused;
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (!resilience.IsBroken)
        {
            try
            {
                var lease = sharedGuardsItself
                    ? await shared.AcquireAsync(permitCount, cancellationToken)
                    : await resilience.ExecuteAsync(ct => shared.AcquireAsync(permitCount, ct), cancellationToken);
                return new SourcedLease(lease, "redis");
            }
            catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
            {
                // Fall through to the local window; the counter and health check tell operators.
            }
        }

        metrics.RateLimitFallback();
        return new SourcedLease(await local.AcquireAsync(permitCount, cancellationToken), "local-fallback");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            shared.Dispose();
            local.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The inner lease, plus which limiter granted or refused it.</summary>
    private sealed class SourcedLease(RateLimitLease inner, string source) : RateLimitLease
    {
        public override bool IsAcquired => inner.IsAcquired;

        public override IEnumerable<string> MetadataNames => inner.MetadataNames.Append(SourceMetadata);

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (metadataName == SourceMetadata)
            {
                metadata = source;
                return true;
            }

            return inner.TryGetMetadata(metadataName, out metadata);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
