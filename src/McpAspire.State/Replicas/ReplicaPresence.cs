using McpAspire.State.Resilience;
using McpAspire.Tools;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpAspire.State.Replicas;

/// <summary>
/// Which replicas are alive: each beats a key with a short TTL while it runs and deletes it when it stops, so the
/// others can tell a replica that is gone (crashed or scaled in) from one that is busy.
/// </summary>
internal sealed partial class ReplicaPresence(
    IConnectionMultiplexer redis,
    RedisResilience resilience,
    RedisKeys keys,
    IOptions<McpAspireStateOptions> stateOptions,
    IOptions<McpAspireToolsOptions> toolsOptions,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILogger<ReplicaPresence> logger) : IHostedService
{
    public string InstanceId => toolsOptions.Value.InstanceId;

    /// <summary>True while <paramref name="instanceId"/> beats; this replica is alive by definition.</summary>
    public async Task<bool> IsAliveAsync(string instanceId, CancellationToken cancellationToken) =>
        instanceId == InstanceId ||
        await resilience.ReadAsync("Checking a replica", async _ => await redis.GetDatabase().KeyExistsAsync(keys.Replica(instanceId)), cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = BeatAsync();
        return Task.CompletedTask;
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
                await redis.GetDatabase().StringSetAsync(keys.Replica(InstanceId), timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), ttl);
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
            redis.GetDatabase().KeyDelete(keys.Replica(InstanceId), CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
        {
            LogBeatFailed(ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica heartbeat not written: {Reason}")]
    private partial void LogBeatFailed(string reason);
}
