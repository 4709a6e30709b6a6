using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using StackExchange.Redis;

namespace McpAspire.State.Tests;

/// <summary>
/// The shared breaker opens on Redis's failures, not on the host's own lateness: timeouts while this host's thread pool
/// has a long queue (thousands of streams just accepted) are not counted against Redis, and Redis's own errors are,
/// however busy the host. The queue length is given to the breaker, so each case is exact.
/// </summary>
public sealed class RedisResilienceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(0, true)]
    [InlineData(RedisResilience.BusyHostQueue, true)]
    [InlineData(RedisResilience.BusyHostQueue + 1, false)]
    public async Task Timeouts_OpenTheBreaker_UnlessThisHostsOwnQueueExplainsThem(long queued, bool opens)
    {
        var resilience = Resilience(queued);

        await FailAsync(resilience, () => new TimeoutRejectedException());

        Assert.Equal(opens, resilience.IsBroken);
    }

    [Fact]
    public async Task RedisErrors_OpenTheBreaker_HoweverBusyTheHost()
    {
        var resilience = Resilience(RedisResilience.BusyHostQueue * 10);

        await FailAsync(resilience, () => new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "It was not possible to connect to the redis server(s).", null, CommandStatus.Unknown));

        Assert.True(resilience.IsBroken);
    }

    private static RedisResilience Resilience(long queued) =>
        new(Options.Create(new McpAspireStateOptions()), TimeProvider.System, NullLogger<RedisResilience>.Instance, () => queued);

    /// <summary>Eight calls that fail as <paramref name="failure"/> says: twice what the breaker needs to open.</summary>
    private static async Task FailAsync(RedisResilience resilience, Func<Exception> failure)
    {
        for (var i = 0; i < 8; i++)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => resilience.ExecuteAsync<int>(_ => throw failure(), Ct).AsTask());
        }
    }
}
