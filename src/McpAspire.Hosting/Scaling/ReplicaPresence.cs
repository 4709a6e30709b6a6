using System.Collections.Concurrent;
using McpAspire.Abstractions;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// Which replicas are alive: each beats a key with a short TTL while it runs and, when it stops, deletes it and says
/// it has left. A replica that is neither beating nor has left is silent: crashed, or still reconnecting after a
/// Redis outage (every replica is silent until its connection is back, and its heartbeat key may have expired while
/// Redis was down). It counts as gone only once it has been silent for <c>ReplicaTtl</c> as seen from here, so an
/// outage does not make the others give up the sessions it holds.
/// </summary>
internal sealed partial class ReplicaPresence(
    IConnectionMultiplexer redis,
    RedisResilience resilience,
    StateKeys keys,
    IOptions<McpAspireStateOptions> stateOptions,
    IOptions<McpAspireOptions> toolsOptions,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILogger<ReplicaPresence> logger) : IHostedService
{
    /// <summary>Since when, and until when, each replica has been seen silent, by this replica's clock.</summary>
    private readonly ConcurrentDictionary<string, (DateTimeOffset Since, DateTimeOffset Last)> _silence = new();

    public string InstanceId => toolsOptions.Value.InstanceId;

    /// <summary>Whether <paramref name="instanceId"/> beats, has left, or is silent; this replica is alive by definition.</summary>
    public async Task<ReplicaState> StateOfAsync(string instanceId, CancellationToken cancellationToken)
    {
        if (instanceId == InstanceId)
        {
            return ReplicaState.Alive;
        }

        var (beating, left) = await resilience.ReadAsync("Checking a replica", async _ =>
        {
            var batch = redis.GetDatabase().CreateBatch();
            var beat = batch.KeyExistsAsync(keys.Replica(instanceId));
            var leave = batch.KeyExistsAsync(keys.ReplicaLeft(instanceId));
            batch.Execute();
            return (await beat, await leave);
        }, cancellationToken);

        if (beating)
        {
            _silence.TryRemove(instanceId, out _);
            return ReplicaState.Alive;
        }

        // Silence counts only while it is watched: seen silent long ago and not asked about since proves nothing now.
        var ttl = stateOptions.Value.ReplicaTtl;
        var now = timeProvider.GetUtcNow();
        var silence = _silence.AddOrUpdate(instanceId, (now, now), (_, seen) => now - seen.Last > ttl ? (now, now) : (seen.Since, now));
        return left || now - silence.Since >= ttl ? ReplicaState.Gone : ReplicaState.Silent;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A replica restarted under the same id is back, whatever it said when it stopped.
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(keys.ReplicaLeft(InstanceId));
        }
        catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
        {
            LogBeatFailed(ex.Message);
        }

        _ = BeatAsync();
    }

    /// <summary>Nothing to do yet: the beat goes on until the host has stopped.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task BeatAsync()
    {
        // Beat until the host has fully stopped, not merely begun to: a draining replica finishes its in-flight
        // requests first, and must not look dead to the others meanwhile.
        var stopped = lifetime.ApplicationStopped;
        stopped.Register(Leave);
        var ttl = stateOptions.Value.ReplicaTtl;
        using var timer = new PeriodicTimer(ttl / 3, timeProvider);
        do
        {
            try
            {
                // Through the shared breaker, so a Redis outage nobody is calling is still counted and reported once.
                await resilience.ExecuteAsync(
                    async _ => await redis.GetDatabase().StringSetAsync(keys.Replica(InstanceId), timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), ttl),
                    CancellationToken.None);
            }
            catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
            {
                LogBeatFailed(ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stopped).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    /// <summary>Says at once that this replica is gone, rather than letting its key expire.</summary>
    private void Leave()
    {
        try
        {
            var db = redis.GetDatabase();
            db.KeyDelete(keys.Replica(InstanceId), CommandFlags.FireAndForget);
            db.StringSet(keys.ReplicaLeft(InstanceId), timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), LeftMarkerTtl, flags: CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
        {
            LogBeatFailed(ex.Message);
        }
    }

    /// <summary>Long enough for every forwarder to see it; a replica that comes back under the same id clears it.</summary>
    private static readonly TimeSpan LeftMarkerTtl = TimeSpan.FromMinutes(10);

    /// <summary>Debug: a beat fails only while Redis does, and the breaker logs that outage once, as its Error.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Replica heartbeat not written: {Reason}")]
    private partial void LogBeatFailed(string reason);
}
