using System.Threading.RateLimiting;
using McpAspire.Abstractions;
using McpAspire.Hosting.RateLimiting;
using McpAspire.State.Resilience;
using McpAspire.Testing;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using StackExchange.Redis;

namespace McpAspire.State.Tests;

/// <summary>The same cases against every server: embedded Garnet, Debian's redis-server and a Redis Cluster.</summary>
public abstract class StateStoreTests<TServer> where TServer : RedisTestServer
{
    private readonly TServer server;

    protected StateStoreTests(TServer server)
    {
        server.SkipIfMissing();
        this.server = server;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChangesPublishedOnOneReplica_AreHeardOnAnother_OnceEachInOrder_AndNotByAnotherDeployment()
    {
        var prefix = new Dictionary<string, string?> { ["McpAspire:State:KeyPrefix"] = $"t{Guid.NewGuid():N}"[..16] };
        await using var a = await StateHost.StartAsync(server, prefix);
        await using var b = await StateHost.StartAsync(server, prefix);
        await using var elsewhere = await StateHost.StartAsync(server);
        var feedA = a.Services.GetRequiredService<IChangeFeed>();
        var feedElsewhere = elsewhere.Services.GetRequiredService<IChangeFeed>();
        using var onB = b.Services.GetRequiredService<IChangeFeed>().Listen();
        using var onElsewhere = feedElsewhere.Listen();

        // Each replica subscribes in the background as it starts: both listeners hear a change before the test begins.
        await ReadyAsync(feedA, onB);
        await ReadyAsync(feedElsewhere, onElsewhere);

        var published = Enumerable.Range(0, 50).Select(i => new ResourceChange("alice", $"mcpaspire://notes/{i}", ListChanged: i % 2 == 0)).ToList();
        foreach (var change in published)
        {
            await feedA.PublishAsync(change, Ct);
        }

        Assert.Equal(published, await HeardUntilAsync(feedA, onB));
        // Another deployment on the same server (another key prefix) heard none of it before a change of its own, which
        // it published after them all; and B hears none of that deployment's changes.
        Assert.Empty(await HeardUntilAsync(feedElsewhere, onElsewhere));
        Assert.Empty(await HeardUntilAsync(feedA, onB));
    }

    private static readonly ResourceChange Ready = new("test", "mcpaspire://ready", ListChanged: false);

    /// <summary>Publishes a readiness change until <paramref name="listener"/> hears one, then takes every copy that follows.</summary>
    private static async Task ReadyAsync(IChangeFeed feed, ChangeListener listener)
    {
        await Until.ValueAsync(async () =>
        {
            await feed.PublishAsync(Ready, Ct);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            wait.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                return await listener.Changes.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                return null;
            }
        }, change => change == Ready, change => $"the listener to hear a change (it heard {change})", Ct);
        await HeardUntilAsync(feed, listener);
    }

    /// <summary>
    /// Publishes a marker on <paramref name="feed"/> and returns what <paramref name="listener"/> heard before it, but late
    /// readiness changes: a feed's messages reach a subscriber in the order they were published.
    /// </summary>
    private static async Task<List<ResourceChange>> HeardUntilAsync(IChangeFeed feed, ChangeListener listener)
    {
        var marker = new ResourceChange("test", $"mcpaspire://marker/{Guid.NewGuid():N}", ListChanged: false);
        await feed.PublishAsync(marker, Ct);
        var heard = new List<ResourceChange>();
        while (await listener.Changes.ReadAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct) is var change && change != marker)
        {
            if (change != Ready)
            {
                heard.Add(change);
            }
        }

        return heard;
    }

    [Fact]
    public async Task Sessions_TouchedAgainWithinTheInterval_CostNoWrite_ButAnotherReplicaTouchDoes()
    {
        await using var state = await StateHost.StartAsync(server, new Dictionary<string, string?> { ["McpAspire:State:SessionTouchInterval"] = "00:10:00" });
        var caller = new McpCaller("alice", McpTransports.StreamableHttp, $"s-{Guid.NewGuid():N}", "replica-a", "2025-11-25", "inspector");

        await state.Sessions.TouchAsync(caller, Ct);
        var first = await state.Sessions.GetAsync(caller.SessionId!, Ct);
        await Task.Delay(20, Ct); // the clock must move for last-seen to
        await state.Sessions.TouchAsync(caller, Ct);
        var skipped = await state.Sessions.GetAsync(caller.SessionId!, Ct);
        await state.Sessions.TouchAsync(caller with { InstanceId = "replica-b" }, Ct);
        var otherReplica = await state.Sessions.GetAsync(caller.SessionId!, Ct);

        Assert.Equal(first!.LastSeenAt, skipped!.LastSeenAt);
        Assert.Equal("replica-a", skipped.OwnerInstance);
        Assert.Equal("replica-b", otherReplica!.OwnerInstance);
        Assert.True(otherReplica.LastSeenAt > first.LastSeenAt);
    }

    [Fact]
    public async Task Sessions_TouchCreatesThenSlides()
    {
        await using var state = await StateHost.StartAsync(server, new Dictionary<string, string?> { ["McpAspire:State:SessionTtl"] = "00:10:00" });
        var caller = new McpCaller("alice", McpTransports.Sse, "s-1", "replica-a", "2025-11-25", "inspector");

        await state.Sessions.TouchAsync(caller, Ct);
        var first = await state.Sessions.GetAsync("s-1", Ct);
        await Task.Delay(20, Ct); // the clock must move for last-seen to
        await state.Sessions.TouchAsync(caller with { InstanceId = "replica-b" }, Ct);
        var second = await state.Sessions.GetAsync("s-1", Ct);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal(("alice", "sse", "2025-11-25", "inspector"), (first.Principal, first.Transport, first.ProtocolVersion, first.ClientName));
        Assert.Equal(first.CreatedAt, second.CreatedAt);
        Assert.True(second.LastSeenAt > first.LastSeenAt);
        Assert.Equal("replica-b", second.OwnerInstance);
        var ttl = await state.Database.KeyTimeToLiveAsync($"{state.KeyPrefix}:session:{{s-1}}");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.Null(await state.Sessions.GetAsync("no-such-session", Ct));
    }

    [Fact]
    public async Task RateLimit_500ConcurrentCallsOnALimitOf100_GrantsExactly100()
    {
        await using var state = await StateHost.StartAsync(server, new Dictionary<string, string?> { ["McpAspire:RateLimiting:PermitLimit"] = "100" });

        var decisions = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => state.Limiter.AcquireAsync("alice", "echo", Ct).AsTask()));

        Assert.Equal(100, decisions.Count(d => d.Allowed));
        Assert.All(decisions, d => Assert.Equal("redis", d.Source));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.InRange(d.RetryAfterSeconds, 1, 60));
    }

    [Fact]
    public async Task FixedWindow_EveryLeaseSaysItsWindowsEnd_AndARefusalWhenToRetry_WithinTheWindow()
    {
        await using var state = await StateHost.StartAsync(server);
        var redis = state.Services.GetRequiredService<IConnectionMultiplexer>();
        using var limiter = new RedisFixedWindowRateLimiter(redis, $"{state.KeyPrefix}:window-end", 2, TimeSpan.FromSeconds(60), TimeProvider.System);
        var began = DateTimeOffset.UtcNow;

        using var granted = await limiter.AcquireAsync(2, Ct);
        using var refused = await limiter.AcquireAsync(1, Ct);

        Assert.True(granted.IsAcquired);
        Assert.False(refused.IsAcquired);
        // The window began in the second of the first call and ends 60 whole seconds later: its last second is began + 59.
        var end = RedisFixedWindowRateLimiter.WindowEndOf(granted);
        Assert.InRange(end!.Value.ToUnixTimeSeconds(), began.ToUnixTimeSeconds() + 59, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 59);
        Assert.Equal(end, RedisFixedWindowRateLimiter.WindowEndOf(refused));
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(58), TimeSpan.FromSeconds(60));
        Assert.Equal(2, (long)await state.Database.StringGetAsync(RedisFixedWindowRateLimiter.CountKey($"{state.KeyPrefix}:window-end")));
    }

    [Fact]
    public async Task RateLimit_HighLimit_IsServedFromLeasesOfOnePercent()
    {
        await using var state = await StateHost.StartAsync(server, new Dictionary<string, string?> { ["McpAspire:RateLimiting:PermitLimit"] = "10000" });

        for (var i = 0; i < 150; i++)
        {
            Assert.True((await state.Limiter.AcquireAsync("alice", "echo", Ct)).Allowed);
        }

        // 150 calls took two leases of 100 from Redis: two scripts, not 150.
        var status = await state.Limiter.GetStatusAsync("alice", "echo", Ct);
        Assert.Equal(10000 - 200, status.Remaining);
    }

    [Fact]
    public async Task RateLimit_WindowOfASecond_IsNotLeased_AndGrantsEveryCallUnderTheLimit()
    {
        // A window this short is not leased (LeasingRateLimiter.MinimumWindow): a lease of 100 taken near its end would
        // be thrown away, and the 101st call of a window refused with 9,900 permits left.
        await using var state = await StateHost.StartAsync(server, new Dictionary<string, string?>
        {
            ["McpAspire:RateLimiting:PermitLimit"] = "10000",
            ["McpAspire:RateLimiting:Window"] = "00:00:01",
        });

        var decisions = new List<bool>();
        for (var i = 0; i < 150; i++)
        {
            decisions.Add((await state.Limiter.AcquireAsync("alice", "echo", Ct)).Allowed);
        }

        Assert.All(decisions, Assert.True);
        // One permit per call (a new window may have begun since: then fewer are spent in this one).
        Assert.InRange((await state.Limiter.GetStatusAsync("alice", "echo", Ct)).Remaining ?? -1, 10000L - 150, 10000L);
    }

    [Fact]
    public async Task RateLimit_InTheLastQuarterSecondOfAWindow_ThrowsAwayOneLeaseAtMost_ThenSpendsOnePermitPerCall()
    {
        // A lease is used until a quarter second before its window closes (a second after the end Redis keeps, in whole
        // seconds). In that time one lease is taken at most: if every call took one from Redis and threw it away, at a
        // few thousand calls a second a limit of a million would be gone within the second. Here the replica's clock
        // stands 0.9 s after the kept end: past where leases stop, short of where Redis begins the next window (by the
        // system's clock, far off).
        var clock = new StoppableWallClock();
        await using var state = await StateHost.StartAsync(server, new Dictionary<string, string?>
        {
            ["McpAspire:RateLimiting:PermitLimit"] = "10000",
            ["McpAspire:RateLimiting:Window"] = "00:00:10",
        }, clock);
        var decisions = new List<bool> { (await state.Limiter.AcquireAsync("alice", "echo", Ct)).Allowed };
        var end = (await state.Limiter.GetStatusAsync("alice", "echo", Ct)).ResetAt ?? throw new InvalidOperationException("No window in Redis.");
        clock.StoppedAt = end + TimeSpan.FromSeconds(0.9);

        for (var i = 1; i < 150; i++)
        {
            decisions.Add((await state.Limiter.AcquireAsync("alice", "echo", Ct)).Allowed);
        }

        Assert.All(decisions, Assert.True);
        // The first lease of 100 thrown away, then a permit a call.
        Assert.InRange((await state.Limiter.GetStatusAsync("alice", "echo", Ct)).Remaining ?? -1, 10000L - 100 - 149, 10000L);
    }

    [Fact]
    public async Task RateLimit_HalfASecondBeforeTheEndRedisKeeps_CallsAreStillServedFromLeases()
    {
        // Redis begins the next window a second after the end it keeps (whole seconds), so leases serve calls until a
        // quarter second before that, not a second before the kept end, which would send the last two seconds of every
        // window to Redis call by call (a fifth of all calls in a 10 s window).
        var clock = new StoppableWallClock();
        await using var state = await StateHost.StartAsync(server, new Dictionary<string, string?>
        {
            ["McpAspire:RateLimiting:PermitLimit"] = "10000",
            ["McpAspire:RateLimiting:Window"] = "00:00:10",
        }, clock);
        Assert.True((await state.Limiter.AcquireAsync("alice", "echo", Ct)).Allowed);
        var end = (await state.Limiter.GetStatusAsync("alice", "echo", Ct)).ResetAt ?? throw new InvalidOperationException("No window in Redis.");
        clock.StoppedAt = end - TimeSpan.FromSeconds(0.5);

        for (var i = 1; i < 150; i++)
        {
            Assert.True((await state.Limiter.AcquireAsync("alice", "echo", Ct)).Allowed);
        }

        // Two leases of 100.
        Assert.Equal(10000L - 200, (await state.Limiter.GetStatusAsync("alice", "echo", Ct)).Remaining);
    }

    [Fact]
    public async Task RateLimit_AtTheEndOfAWindow_CallsAreCountedInRedisSeveralAtATime_NotOneAfterAnother()
    {
        // At a window's end each call is counted in Redis on its own, and not in turn behind the refill lock, each
        // waiting for the round trips of all before it (one call per round trip). Here 20 callers in that time are held
        // at Redis: as many as the limiter lets be in flight get there together, and no more.
        var clock = new StoppableWallClock();
        await using var state = await StateHost.StartAsync(server, time: clock);
        var redis = state.Services.GetRequiredService<IConnectionMultiplexer>();
        var partition = $"{state.KeyPrefix}:last-second";
        var held = new HeldRateLimiter(new RedisFixedWindowRateLimiter(redis, partition, 10_000, TimeSpan.FromSeconds(10), clock));
        clock.StoppedAt = DateTimeOffset.UtcNow;
        // Redis keeps an end 0.9 s before the replica's now, so the window closes 0.1 s from now: the first lease is used
        // once, the rest go call by call.
        using var leasing = new LeasingRateLimiter(held, 100, _ => clock.StoppedAt - TimeSpan.FromSeconds(0.9),
            state.Services.GetRequiredService<RedisResilience>(), clock);
        using (var first = await leasing.AcquireAsync(1, Ct))
        {
            Assert.True(first.IsAcquired);
        }

        held.Hold();
        var calls = Enumerable.Range(0, 20).Select(_ => leasing.AcquireAsync(1, Ct).AsTask()).ToArray();
        // Counted one after another, one call would reach Redis and the other 19 wait for it: this wait would time out.
        await held.WaitUntilHeldAsync(LeasingRateLimiter.CountedInFlight, TimeSpan.FromSeconds(10));
        Assert.Equal(LeasingRateLimiter.CountedInFlight, held.Held);
        held.Release();

        var leases = await Task.WhenAll(calls);
        Assert.All(leases, lease => Assert.True(lease.IsAcquired));
        Assert.Equal(100 + 20, (long)await state.Database.StringGetAsync($"rl:fw:{{{partition}}}"));
    }

    [Fact]
    public async Task RateLimit_LeasedAcrossTwoReplicas_NeverGrantsMoreThanTheLimit_AndAtMostALeaseEachFewer()
    {
        var settings = new Dictionary<string, string?> { ["McpAspire:RateLimiting:PermitLimit"] = "1000" };
        await using var a = await StateHost.StartAsync(server, settings);
        await using var b = await StateHost.StartAsync(server, new Dictionary<string, string?>(settings) { ["McpAspire:State:KeyPrefix"] = a.KeyPrefix });

        var decisions = await Task.WhenAll(Enumerable.Range(0, 1500).Select(i => (i % 2 == 0 ? a : b).Limiter.AcquireAsync("alice", "echo", Ct).AsTask()));

        // Leases of 10: a replica can hold up to one lease unused when the window runs out.
        Assert.InRange(decisions.Count(d => d.Allowed), 1000 - 2 * 10, 1000);
    }

    [Fact]
    public async Task RateLimit_CallersQueuedBehindARefillLongerThanTheRedisTimeout_AreNotGrantedFromTheLocalWindow()
    {
        // Leases of 2: 3,000 callers at once queue behind each replica's refills for longer than the 250 ms a Redis call
        // may take. That wait must not count against the Redis timeout: timed-out callers would be granted from the
        // process-local window on top of the shared limit.
        var settings = new Dictionary<string, string?>
        {
            ["McpAspire:RateLimiting:PermitLimit"] = "200",
            ["McpAspire:State:OperationTimeout"] = "00:00:00.250",
        };
        await using var a = await StateHost.StartAsync(server, settings);
        await using var b = await StateHost.StartAsync(server, new Dictionary<string, string?>(settings) { ["McpAspire:State:KeyPrefix"] = a.KeyPrefix });

        var decisions = await Task.WhenAll(Enumerable.Range(0, 3000).Select(i => (i % 2 == 0 ? a : b).Limiter.AcquireAsync("alice", "echo", Ct).AsTask()));

        // Counted against the Redis timeout, that wait would send most of the 3,000 callers to the local window. A Redis
        // call that itself outlasts 250 ms on a loaded machine sends only the few callers waiting on it there.
        var local = decisions.Count(d => d.Source != "redis");
        Assert.True(local <= 10, $"{local} of 3000 callers were decided by the process-local window");
        Assert.InRange(decisions.Count(d => d.Allowed), 200 - 2 * 2, 200 + local);
    }

    [Fact]
    public async Task RateLimit_IsPerPrincipalAndPerTool_AndStatusReportsWhatIsLeft()
    {
        await using var state = await StateHost.StartAsync(server, new Dictionary<string, string?>
        {
            ["McpAspire:RateLimiting:PermitLimit"] = "10",
            ["McpAspire:RateLimiting:Tools:long_running"] = "2",
        });

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await state.Limiter.AcquireAsync("alice", "echo", Ct)).Allowed);
        }

        var longRunning = new[]
        {
            await state.Limiter.AcquireAsync("alice", "long_running", Ct),
            await state.Limiter.AcquireAsync("alice", "long_running", Ct),
            await state.Limiter.AcquireAsync("alice", "long_running", Ct),
        };
        var echo = await state.Limiter.GetStatusAsync("alice", "echo", Ct);
        var bob = await state.Limiter.GetStatusAsync("bob", "echo", Ct);

        Assert.Equal([true, true, false], longRunning.Select(d => d.Allowed));
        Assert.Equal((10L, 7L, "redis"), (echo.Limit, echo.Remaining, echo.Source));
        Assert.True(echo.ResetAt > DateTimeOffset.UtcNow);
        Assert.Equal(10L, bob.Remaining);
    }
}

public sealed class GarnetStateStoreTests(GarnetRedisServer server) : StateStoreTests<GarnetRedisServer>(server), IClassFixture<GarnetRedisServer>;

public sealed class RedisStateStoreTests(DebianRedisServer server) : StateStoreTests<DebianRedisServer>(server), IClassFixture<DebianRedisServer>;

/// <summary>The same suite on a three-primary Redis Cluster: every multi-key script stays in one hash slot.</summary>
public sealed class ClusterStateStoreTests(RedisClusterServer server) : StateStoreTests<RedisClusterServer>(server), IClassFixture<RedisClusterServer>;

/// <summary>The system's wall clock until it is stopped at an instant; timers and timestamps always run on the system's.</summary>
internal sealed class StoppableWallClock : TimeProvider
{
    public DateTimeOffset? StoppedAt { get; set; }

    public override DateTimeOffset GetUtcNow() => StoppedAt ?? base.GetUtcNow();
}

/// <summary>A limiter that holds calls of one permit while asked to, counting them, and then passes them on.</summary>
internal sealed class HeldRateLimiter(RateLimiter inner) : RateLimiter
{
    private TaskCompletionSource _released = CompletedSource();
    private int _held;

    public override TimeSpan? IdleDuration => inner.IdleDuration;

    public int Held => Volatile.Read(ref _held);

    public void Hold() => _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _released.TrySetResult();

    public async Task WaitUntilHeldAsync(int count, TimeSpan timeout)
    {
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        using var deadline = new CancellationTokenSource(timeout);
        while (Volatile.Read(ref _held) < count)
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"{Volatile.Read(ref _held)} of {count} calls reached Redis together within {timeout.TotalSeconds:F0} s.");
            }

            await poll.WaitForNextTickAsync(TestContext.Current.CancellationToken);
        }
    }

    public override RateLimiterStatistics? GetStatistics() => inner.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => inner.AttemptAcquire(permitCount);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (permitCount == 1)
        {
            Interlocked.Increment(ref _held);
            await _released.Task.WaitAsync(cancellationToken);
        }

        return await inner.AcquireAsync(permitCount, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Release();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}
