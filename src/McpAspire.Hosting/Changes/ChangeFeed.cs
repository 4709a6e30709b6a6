using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using McpAspire.Abstractions;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace McpAspire.Hosting.Changes;

/// <summary>
/// The change feed (<see cref="IChangeFeed"/>). With Redis, a change is published on one channel of the deployment
/// (<c>{prefix}:changes</c>) and every replica, this one included, hands what it receives to its listeners, one message
/// at a time in the order received: so each listener hears each change once, and the changes of one URI in the order
/// they were published. Without Redis, or while Redis cannot take a publish, a change goes to this process's listeners
/// directly.
/// </summary>
internal sealed partial class ChangeFeed(IConnectionMultiplexer? redis, StateKeys keys, RedisResilience resilience, ILogger<ChangeFeed> logger)
    : IChangeFeed, IHostedService, IDisposable
{
    private static readonly TimeSpan MaxSubscribeDelay = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stopping = new();
    // Added and removed in O(1), without a lock: a replica holds thousands of listeners, and they come and go all at once
    // (an immutable array copied on every change cost ten thousand leaving listeners about a hundred million copies).
    private readonly ConcurrentDictionary<ChangeListener, byte> _listeners = new();
    private ChannelMessageQueue? _queue;

    /// <summary>Listeners open on this replica.</summary>
    public int ListenerCount => _listeners.Count;

    public ChangeListener Listen()
    {
        var listener = new ChangeListener(Remove);
        _listeners.TryAdd(listener, 0);
        return listener;
    }

    public async Task PublishAsync(ResourceChange change, CancellationToken cancellationToken)
    {
        if (redis is null)
        {
            Deliver(change);
            return;
        }

        try
        {
            var message = JsonSerializer.Serialize(change, StateJsonContext.Default.ResourceChange);
            await resilience.WriteAsync("Publishing a change", async _ => await redis.GetSubscriber().PublishAsync(keys.Changes, message), cancellationToken);
        }
        catch (StateUnavailableException ex)
        {
            LogNotPublished(change.Uri, ex.Message);
            Deliver(change);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (redis is not null)
        {
            _ = SubscribeAsync(redis, _stopping.Token);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_queue is { } queue)
        {
            await queue.UnsubscribeAsync();
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task SubscribeAsync(IConnectionMultiplexer connection, CancellationToken stopping)
    {
        // Once subscribed, StackExchange.Redis subscribes again by itself after every reconnection.
        var told = false;
        for (var delay = TimeSpan.FromMilliseconds(250); !stopping.IsCancellationRequested; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxSubscribeDelay.Ticks)))
        {
            try
            {
                var queue = await connection.GetSubscriber().SubscribeAsync(keys.Changes);
                queue.OnMessage(message =>
                {
                    if (Parse(message.Message) is { } change)
                    {
                        Deliver(change);
                    }
                });
                _queue = queue;
                return;
            }
            catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
            {
                // Said once: the resilience pipeline says why Redis cannot be reached.
                if (!told)
                {
                    told = true;
                    LogNotSubscribed(ex.Message);
                }

                try
                {
                    await Task.Delay(delay, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private ResourceChange? Parse(RedisValue message)
    {
        try
        {
            return JsonSerializer.Deserialize((string)message!, StateJsonContext.Default.ResourceChange);
        }
        catch (JsonException ex)
        {
            LogUnreadable(ex.Message);
            return null;
        }
    }

    private void Deliver(ResourceChange change)
    {
        // The dictionary's enumerator takes no lock; a listener that comes or goes meanwhile may hear this change or not.
        foreach (var (listener, _) in _listeners)
        {
            listener.Offer(change);
        }
    }

    private void Remove(ChangeListener listener) => _listeners.TryRemove(listener, out _);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change of {Uri} not published to the other replicas (this replica's listeners heard it): {Reason}")]
    private partial void LogNotPublished(string uri, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not subscribed to the change feed yet, retrying until Redis answers: {Reason}")]
    private partial void LogNotSubscribed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A change on the feed could not be read and was dropped: {Reason}")]
    private partial void LogUnreadable(string reason);
}
