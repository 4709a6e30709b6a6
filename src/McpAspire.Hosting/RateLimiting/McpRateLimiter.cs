using System.Threading.RateLimiting;
using McpAspire.Abstractions;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpAspire.Hosting.RateLimiting;

/// <summary>
/// The shared limiter: a fixed window per principal and tool in Redis (<see cref="RedisFixedWindowRateLimiter"/>: one script per check; for
/// limits of 200 and more in windows of 10 s and more, checks are served from leases of 1% of the limit,
/// <see cref="LeasingRateLimiter"/>),
/// falling back to a process-local window while Redis is unreachable, or always when none is configured.
/// </summary>
internal sealed class McpRateLimiter : IRateLimitStatusProvider, IDisposable
{
    private readonly IConnectionMultiplexer? _redis;
    private readonly RedisResilience _resilience;
    private readonly StateKeys _keys;
    private readonly RateLimitMetrics _metrics;
    private readonly RateLimitingOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly PartitionedRateLimiter<(string Principal, string Tool)> _limiter;

    internal McpRateLimiter(IConnectionMultiplexer? redis, RedisResilience resilience, StateKeys keys, RateLimitMetrics metrics, IOptions<RateLimitingOptions> options, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _redis = redis;
        _resilience = resilience;
        _keys = keys;
        _metrics = metrics;
        _options = options.Value;
        _limiter = PartitionedRateLimiter.Create<(string Principal, string Tool), string>(call => Partition(call.Principal, call.Tool));
    }

    public bool Enabled => _options.Enabled;

    /// <summary>The partition for one principal and tool, for any <see cref="PartitionedRateLimiter{TResource}"/> (e.g. ASP.NET Core's).</summary>
    public RateLimitPartition<string> Partition(string principal, string tool) =>
        RateLimitPartition.Get(_keys.RateLimitPartition(principal, tool), partition => CreateLimiter(partition, _options.LimitFor(tool)));

    /// <summary>Spends one permit of <paramref name="tool"/> for <paramref name="principal"/>.</summary>
    public async ValueTask<RateLimitDecision> AcquireAsync(string principal, string tool, CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return RateLimitDecision.Unlimited;
        }

        using var lease = await _limiter.AcquireAsync((principal, tool), 1, cancellationToken);
        return Decide(lease, _options.LimitFor(tool));
    }

    /// <summary>Reads a granted or refused lease: what to tell the caller.</summary>
    public static RateLimitDecision Decide(RateLimitLease lease, int limit)
    {
        TimeSpan? retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter.Name, out var value)
            ? value switch
            {
                TimeSpan span => span,
                _ => null,
            }
            : null;
        var source = lease.TryGetMetadata(FallbackRateLimiter.SourceMetadata, out var s) ? (string)s! : "local";
        return new RateLimitDecision(lease.IsAcquired, limit, retryAfter, source);
    }

    public async ValueTask<RateLimitStatus> GetStatusAsync(string principal, string tool, CancellationToken cancellationToken)
    {
        var limit = _options.LimitFor(tool);
        if (!_options.Enabled)
        {
            return new RateLimitStatus(tool, Enforced: false, Limit: null, Remaining: null, ResetAt: null, Source: "none");
        }

        if (_redis is null)
        {
            return new RateLimitStatus(tool, Enforced: true, limit, Remaining: null, ResetAt: null, Source: "local");
        }

        try
        {
            var counterKey = RedisFixedWindowRateLimiter.CountKey(_keys.RateLimitPartition(principal, tool));
            var values = await _resilience.ExecuteAsync(
                async _ => await _redis.GetDatabase().StringGetAsync([counterKey, counterKey + ":exp"]), cancellationToken);
            var expiresAt = values[1].IsNull ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeSeconds((long)values[1]);
            var live = expiresAt > DateTimeOffset.UtcNow;
            var used = live && !values[0].IsNull ? (long)values[0] : 0;
            return new RateLimitStatus(tool, Enforced: true, limit, Math.Max(0, limit - used), live ? expiresAt : null, "redis");
        }
        catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
        {
            return new RateLimitStatus(tool, Enforced: true, limit, Remaining: null, ResetAt: null, Source: "local-fallback");
        }
    }

    private RateLimiter CreateLimiter(string partition, int limit)
    {
        var local = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = _options.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        if (_redis is null)
        {
            return local;
        }

        RateLimiter shared = new RedisFixedWindowRateLimiter(_redis, partition, limit, _options.Window, _timeProvider);
        if (LeasingRateLimiter.LeaseSizeFor(limit, _options.Window) is > 1 and var leaseSize)
        {
            var leasing = new LeasingRateLimiter(shared, leaseSize, RedisFixedWindowRateLimiter.WindowEndOf, _resilience, _timeProvider);
            return new FallbackRateLimiter(leasing, local, _resilience, _metrics, sharedGuardsItself: true);
        }

        return new FallbackRateLimiter(shared, local, _resilience, _metrics);
    }

    public void Dispose() => _limiter.Dispose();
}
