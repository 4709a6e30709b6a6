using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// Redis pub/sub between the replicas of a host: each listens on its own inbox (messages forwarded to sessions it
/// holds, and answers to what it forwarded) and on one broadcast channel (messages for every copy of a session).
/// Messages on each channel are handled one at a time, in the order they were published.
/// </summary>
internal sealed partial class ReplicaBus(
    IConnectionMultiplexer redis,
    StateKeys keys,
    ReplicaPresence presence,
    IReplicaMessageHandler handler,
    IOptions<McpAspireStateOptions> options,
    ILogger<ReplicaBus> logger) : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ForwardedAnswer>> _pending = new(StringComparer.Ordinal);
    private readonly List<ChannelMessageQueue> _queues = [];

    private static readonly TimeSpan AnswerSlice = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxSubscribeDelay = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stopping = new();
    private Task _subscribing = Task.CompletedTask;
    private volatile bool _listening;
    private volatile bool _retrying;

    /// <summary>
    /// Still making its first attempt to hear its inbox and the session broadcasts, which succeeds at once where Redis
    /// answers: until then a post routed to this replica would go unheard. False once listening, and false while Redis
    /// is unreachable (the subscription is then retried in the background, and the replica serves without it).
    /// </summary>
    public bool IsStarting => !_listening && !_retrying;

    public string InstanceId => presence.InstanceId;

    /// <summary>
    /// Hands <paramref name="message"/> to <paramref name="owner"/> and waits for its answer; null when the owner is gone
    /// (nobody listens on its inbox, or it stopped beating and did not answer in time).
    /// </summary>
    public async Task<ForwardedAnswer?> ForwardAsync(string owner, SessionMessage message, CancellationToken cancellationToken)
    {
        var correlation = Guid.NewGuid().ToString("N");
        var answer = new TaskCompletionSource<ForwardedAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[correlation] = answer;
        try
        {
            var envelope = new Envelope(EnvelopeKind.Forward, correlation, presence.InstanceId, message, null);
            var receivers = await Publish(keys.ReplicaInbox(owner), envelope);
            var waited = TimeSpan.Zero;
            // On a single server the count is exact: nobody listening means the owner is gone, or that it is still
            // resubscribing after a Redis outage. Ask again until it listens, is gone, or the wait is up. A cluster
            // counts only the node published to; there the answer, or its absence, decides.
            while (receivers == 0 && !IsCluster)
            {
                if (await presence.StateOfAsync(owner, cancellationToken) is ReplicaState.Gone)
                {
                    return null;
                }

                if (waited >= options.Value.OperationTimeout)
                {
                    throw StateUnavailableException.ReplicaSilent(owner);
                }

                await Task.Delay(AnswerSlice, cancellationToken);
                waited += AnswerSlice;
                receivers = await Publish(keys.ReplicaInbox(owner), envelope);
            }

            // Wait in slices, checking between them that the owner still beats: a replica killed a moment ago may
            // still count as a listener, and then the first sign it is gone is its heartbeat stopping.
            while (true)
            {
                var slice = TimeSpan.FromTicks(Math.Max(1, Math.Min(AnswerSlice.Ticks, (options.Value.OperationTimeout - waited).Ticks)));
                try
                {
                    return await answer.Task.WaitAsync(slice, cancellationToken);
                }
                catch (TimeoutException)
                {
                    waited += slice;
                    if (await presence.StateOfAsync(owner, cancellationToken) is ReplicaState.Gone)
                    {
                        return null;
                    }

                    if (waited >= options.Value.OperationTimeout)
                    {
                        // Redis carried the message; it is the owner that did not answer (killed a moment ago, its
                        // heartbeat not yet expired, or stalled).
                        throw StateUnavailableException.ReplicaSilent(owner);
                    }
                }
            }
        }
        catch (StateUnavailableException)
        {
            throw;
        }
        catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
        {
            throw StateUnavailableException.ReadFailed("Reaching the replica that holds this session", ex);
        }
        finally
        {
            _pending.TryRemove(correlation, out _);
        }
    }

    /// <summary>Sends <paramref name="message"/> to every other replica; those holding the session deliver it.</summary>
    public async Task BroadcastAsync(SessionMessage message)
    {
        try
        {
            await Publish(keys.SessionBroadcast, new Envelope(EnvelopeKind.Broadcast, null, presence.InstanceId, message, null));
        }
        catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
        {
            LogBusFailed("broadcast", ex.Message);
        }
    }

    /// <summary>Subscribes in the background: a replica starts while Redis is unreachable, and hears the others once it is back.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscribing = SubscribeAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _subscribing.ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var queue in _queues)
        {
            await queue.UnsubscribeAsync();
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task SubscribeAsync(CancellationToken stopping)
    {
        var subscriber = redis.GetSubscriber();
        foreach (var channel in new[] { keys.ReplicaInbox(presence.InstanceId), keys.SessionBroadcast })
        {
            // Once subscribed, StackExchange.Redis subscribes again by itself after every reconnection.
            for (var delay = TimeSpan.FromMilliseconds(250); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxSubscribeDelay.Ticks)))
            {
                try
                {
                    var queue = await subscriber.SubscribeAsync(channel);
                    _queues.Add(queue);
                    _ = PumpAsync(queue);
                    break;
                }
                catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
                {
                    LogBusFailed("subscription", ex.Message);
                    _retrying = true;
                    await Task.Delay(delay, stopping);
                }
            }
        }

        _listening = true;
    }

    private bool IsCluster => redis.GetServers().Any(s => s.ServerType == ServerType.Cluster);

    private Task<long> Publish(RedisChannel channel, Envelope envelope) =>
        redis.GetSubscriber().PublishAsync(channel, JsonSerializer.SerializeToUtf8Bytes(envelope, StateJsonContext.Default.Envelope));

    private async Task PumpAsync(ChannelMessageQueue queue)
    {
        try
        {
            while (await queue.ReadAsync() is { } received)
            {
                try
                {
                    await OnReceivedAsync(JsonSerializer.Deserialize((byte[])received.Message!, StateJsonContext.Default.Envelope)!);
                }
                catch (Exception ex)
                {
                    // One bad message must not stop this replica hearing the next.
                    LogBusFailed("delivery", ex.Message);
                }
            }
        }
        catch (ChannelClosedException)
        {
            // Unsubscribed: the host is stopping.
        }
    }

    private async Task OnReceivedAsync(Envelope envelope)
    {
        switch (envelope.Kind)
        {
            case EnvelopeKind.Forward when envelope.Message is { } message:
                var answer = await handler.OnForwardedAsync(message);
                await Publish(keys.ReplicaInbox(envelope.From), new Envelope(EnvelopeKind.Answer, envelope.Correlation, presence.InstanceId, null, answer));
                break;
            case EnvelopeKind.Answer when envelope.Correlation is { } correlation && envelope.Answer is { } answered:
                if (_pending.TryGetValue(correlation, out var pending))
                {
                    pending.TrySetResult(answered);
                }

                break;
            case EnvelopeKind.Broadcast when envelope.From != presence.InstanceId && envelope.Message is { } broadcast:
                await handler.OnBroadcastAsync(broadcast);
                break;
        }
    }

    internal enum EnvelopeKind
    {
        Forward,
        Answer,
        Broadcast,
    }

    internal sealed record Envelope(EnvelopeKind Kind, string? Correlation, string From, SessionMessage? Message, ForwardedAnswer? Answer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica bus {Operation} failed: {Reason}")]
    private partial void LogBusFailed(string operation, string reason);
}
