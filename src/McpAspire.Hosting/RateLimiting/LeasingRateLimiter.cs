using System.Threading.RateLimiting;
using McpAspire.State;
using McpAspire.State.Resilience;

namespace McpAspire.Hosting.RateLimiting;

/// <summary>
/// Takes permits from the shared Redis window in leases and grants them from process memory, so most calls make no
/// round trip at all. Exact enough, and never generous:
/// <list type="bullet">
/// <item>every permit granted here was first counted in Redis, in the same window (a lease is used only until the
/// window it came from ends, which <paramref name="windowEnd"/> reads off the lease), so the shared limit is never exceeded;</item>
/// <item>permits a replica leased and did not use before the window ended are lost to the others: a window can end
/// with up to one lease per replica unused (a lease taken in a window's last quarter second is one of those: the rest
/// of that time is counted in Redis call by call), so callers may be refused up to (replicas × lease) calls early;</item>
/// <item>when fewer permits are left than a lease, each call is counted in Redis on its own, as without leasing, so the
/// last permits of a window are shared exactly.</item>
/// </list>
/// </summary>
/// <remarks>
/// Each call to Redis runs under <paramref name="resilience"/> here, not the wait for a turn to refill: callers queued
/// behind a refill under load would otherwise spend the Redis timeout waiting, and the fallback would then grant them
/// from the process-local window on top of the shared limit.
/// </remarks>
internal sealed class LeasingRateLimiter(RateLimiter shared, int leaseSize, Func<RateLimitLease, DateTimeOffset?> windowEnd, RedisResilience resilience, TimeProvider timeProvider) : RateLimiter
{
    /// <summary>
    /// <see cref="RedisFixedWindowRateLimiter"/> keeps a window's end in whole Unix seconds and starts the next window once the caller's clock has
    /// passed that second: a window ending at E serves calls until E + 1 s.
    /// </summary>
    private static readonly TimeSpan WindowCloses = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A lease is used until a quarter of a second before its window closes: another replica whose clock runs ahead may
    /// start the next window that much early (replicas' clocks are taken to agree within 250 ms, as NTP keeps them).
    /// </summary>
    private static readonly TimeSpan ClockMargin = TimeSpan.FromMilliseconds(250);

    /// <summary>Calls counted in Redis one by one, in flight at once: eight pipelined round trips keep up with a replica's calls.</summary>
    public const int CountedInFlight = 8;

    private readonly SemaphoreSlim _refill = new(1, 1);
    private readonly SemaphoreSlim _counted = new(CountedInFlight, CountedInFlight);
    private int _available;
    private long _validUntilTicks;

    /// <summary>
    /// From when until when no lease is taken (UTC ticks): in the last quarter second of the window the last lease came
    /// from, since one taken then is used once and the rest thrown away (if every call of that time took one, at a few
    /// thousand calls a second a limit of a million would be spent in one second); and from a refused lease until its
    /// window closes, since fewer permits are left than a lease.
    /// </summary>
    private long _noLeaseFromTicks, _noLeaseUntilTicks;

    /// <summary>Windows shorter than this are not leased: a window of a second or two would lose up to a lease per replica
    /// every time, a large share of its limit.</summary>
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromSeconds(10);

    /// <summary>How many permits a lease takes: 1% of the limit, at most 256; below a limit of 200, or in a window under
    /// <see cref="MinimumWindow"/>, there is no leasing (1).</summary>
    public static int LeaseSizeFor(int limit, TimeSpan window) => window < MinimumWindow ? 1 : Math.Clamp(limit / 100, 1, 256);

    public override TimeSpan? IdleDuration => shared.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => shared.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
        TryTakeLocal(permitCount) ? EmptyLease.Granted : shared.AttemptAcquire(permitCount);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (TryTakeLocal(permitCount))
        {
            return EmptyLease.Granted;
        }

        if (permitCount < leaseSize && MayLease())
        {
            // One refill at a time: the others wait for it rather than lease too.
            await _refill.WaitAsync(cancellationToken);
            try
            {
                if (TryTakeLocal(permitCount))
                {
                    return EmptyLease.Granted;
                }

                if (MayLease() && await TryLeaseAsync(permitCount, cancellationToken))
                {
                    return EmptyLease.Granted;
                }
            }
            finally
            {
                _refill.Release();
            }
        }

        // Fewer permits left than a lease, or the last quarter second of a window: each call is counted in Redis on its
        // own, so the last permits are shared exactly, a few at a time. Behind the refill lock every call of that time
        // would wait for the round trips of all the calls before it (the replica would serve one call per round trip);
        // with no bound, a burst of thousands of callers past the limit would go to Redis at once, past its timeout on
        // a loaded machine, and the fallback would grant them locally. The wait for a turn is not under the timeout.
        await _counted.WaitAsync(cancellationToken);
        try
        {
            return await resilience.ExecuteAsync(ct => shared.AcquireAsync(permitCount, ct), cancellationToken);
        }
        finally
        {
            _counted.Release();
        }
    }

    private bool MayLease()
    {
        var now = timeProvider.GetUtcNow().UtcTicks;
        return now < Volatile.Read(ref _noLeaseFromTicks) || now >= Volatile.Read(ref _noLeaseUntilTicks);
    }

    /// <summary>Takes a lease and grants <paramref name="permitCount"/> of it; false when Redis refused the lease.</summary>
    private async ValueTask<bool> TryLeaseAsync(int permitCount, CancellationToken cancellationToken)
    {
        using var lease = await resilience.ExecuteAsync(ct => shared.AcquireAsync(leaseSize, ct), cancellationToken);
        // A window whose end Redis does not say is taken to close a second from now.
        var now = timeProvider.GetUtcNow();
        var closes = windowEnd(lease) is { } end ? end + WindowCloses : now + WindowCloses;
        if (!lease.IsAcquired)
        {
            Volatile.Write(ref _noLeaseFromTicks, now.UtcTicks);
            Volatile.Write(ref _noLeaseUntilTicks, closes.UtcTicks);
            return false;
        }

        var usableUntil = closes - ClockMargin;
        Volatile.Write(ref _noLeaseFromTicks, usableUntil.UtcTicks);
        Volatile.Write(ref _noLeaseUntilTicks, closes.UtcTicks);
        if (usableUntil > now)
        {
            Volatile.Write(ref _validUntilTicks, usableUntil.UtcTicks);
            Volatile.Write(ref _available, leaseSize - permitCount);
        }

        // Otherwise it was counted in Redis with too little of its window left (or an unknown end): one permit is used,
        // the rest go unused, and the window's remaining calls are counted call by call.
        return true;
    }

    private bool TryTakeLocal(int permitCount)
    {
        if (timeProvider.GetUtcNow().UtcTicks >= Volatile.Read(ref _validUntilTicks))
        {
            return false;
        }

        while (true)
        {
            var available = Volatile.Read(ref _available);
            if (available < permitCount)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _available, available - permitCount, available) == available)
            {
                return true;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            shared.Dispose();
            _refill.Dispose();
            _counted.Dispose();
        }

        base.Dispose(disposing);
    }
}
