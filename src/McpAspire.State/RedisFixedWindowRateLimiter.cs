using System.Threading.RateLimiting;
using McpAspire.State;
using StackExchange.Redis;

namespace McpAspire.State;

/// <summary>
/// One partition's fixed window, counted in Redis by one script per acquire: every replica that names the same
/// partition shares one count. The count is in <c>rl:fw:{partition}</c> and the window's last whole Unix second E in
/// <c>rl:fw:{partition}:exp</c> (one hash tag, so one Cluster slot): a window begun in second S serves calls until the
/// caller's clock passes E = S + window - 1, that is until E + 1 s (at most the window's length), and the next caller
/// after that starts the next window. A refused call is not counted.
/// </summary>
/// <remarks>
/// The script takes its keys and arguments as <c>KEYS</c> and <c>ARGV</c>: nothing is read by reflection, so it runs the
/// same under Native AOT and trimming.
/// </remarks>
public sealed class RedisFixedWindowRateLimiter(IConnectionMultiplexer redis, string partition, int permitLimit, TimeSpan window, TimeProvider time)
    : RateLimiter
{
    /// <summary>KEYS: count, end. ARGV: limit, permits, now (Unix s), window (s). Returns {granted, end}.</summary>
    private const string AcquireScript = """
        local now = tonumber(ARGV[3])
        local window = tonumber(ARGV[4])
        local ends = tonumber(redis.call('GET', KEYS[2]))
        if not ends or ends < now then
          ends = now + window - 1
          redis.call('SET', KEYS[1], 0, 'EX', window)
          redis.call('SET', KEYS[2], ends, 'EX', window)
        end
        local permits = tonumber(ARGV[2])
        if tonumber(redis.call('GET', KEYS[1]) or '0') + permits > tonumber(ARGV[1]) then
          return { 0, ends }
        end
        redis.call('INCRBY', KEYS[1], permits)
        return { 1, ends }
        """;

    private readonly RedisKey[] _keys = [CountKey(partition), CountKey(partition) + ":exp"];
    private readonly long _windowSeconds = Math.Max(1, (long)Math.Ceiling(window.TotalSeconds));
    private long _lastUsed = time.GetTimestamp();

    /// <summary>
    /// Lease metadata on every lease, granted or refused: the last whole second of the window it was counted in (a
    /// <see cref="DateTimeOffset"/>), so a caller that holds permits for that window knows when they lapse.
    /// </summary>
    public const string WindowEndMetadata = "MCPASPIRE_WINDOW_END";

    /// <summary>The window's last whole second a lease of this limiter carries; null for any other lease.</summary>
    public static DateTimeOffset? WindowEndOf(RateLimitLease lease) =>
        lease.TryGetMetadata(WindowEndMetadata, out var end) && end is DateTimeOffset value ? value : null;

    /// <summary>Where the partition's count is kept.</summary>
    public static string CountKey(string partition) => $"rl:fw:{{{partition}}}";

    /// <inheritdoc/>
    /// <remarks>Nothing is held here between calls, so a partition not used for a while can be dropped and made again.</remarks>
    public override TimeSpan? IdleDuration => time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    /// <inheritdoc/>
    public override RateLimiterStatistics? GetStatistics() => null;

    /// <inheritdoc/>
    /// <remarks>The synchronous path cannot ask Redis: it refuses, which sends callers such as ASP.NET Core's middleware on to the asynchronous one.</remarks>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => new Lease(false, null, null);

    /// <inheritdoc/>
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, permitLimit);
        Interlocked.Exchange(ref _lastUsed, time.GetTimestamp());
        var now = time.GetUtcNow();
        var answer = (RedisResult[])(await redis.GetDatabase()
            .ScriptEvaluateAsync(AcquireScript, _keys, [permitLimit, permitCount, now.ToUnixTimeSeconds(), _windowSeconds])
            .WaitAsync(cancellationToken))!;
        var end = DateTimeOffset.FromUnixTimeSeconds((long)answer[1]);
        if ((long)answer[0] == 1)
        {
            return new Lease(true, null, end);
        }

        var closes = end + TimeSpan.FromSeconds(1);
        return new Lease(false, closes > now ? closes - now : TimeSpan.Zero, end);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter, DateTimeOffset? windowEnd) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames
        {
            get
            {
                if (retryAfter is not null)
                {
                    yield return MetadataName.RetryAfter.Name;
                }

                if (windowEnd is not null)
                {
                    yield return WindowEndMetadata;
                }
            }
        }

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter
                : metadataName == WindowEndMetadata ? windowEnd
                : null;
            return metadata is not null;
        }
    }
}
