using System.Collections.Concurrent;

namespace McpAspire.Hosting.Changes;

/// <summary>The <c>subscriptions/listen</c> streams open on this replica, per principal: the cap and the gauge.</summary>
internal sealed class ListenStreams : IDisposable
{
    private readonly ConcurrentDictionary<string, int> _perPrincipal = new(StringComparer.Ordinal);
    private readonly BackgroundLane _teardowns = new("McpAspire listen teardown");
    private int _open;

    public int Open => Volatile.Read(ref _open);

    /// <summary>
    /// Moves the rest of a handler whose client has left (and the SDK's and Kestrel's teardown that runs on after it
    /// returns, up to their first real wait) onto one background thread: many clients leaving at once are then torn
    /// down one after another there, not put on the thread pool ahead of the next request.
    /// </summary>
    public BackgroundLane.Switch MoveToTeardownLane() => _teardowns.SwitchTo();

    /// <summary>Counts a stream for <paramref name="principal"/>, unless it already has <paramref name="max"/> open here.</summary>
    public bool TryOpen(string principal, int max)
    {
        while (true)
        {
            var current = _perPrincipal.GetValueOrDefault(principal);
            if (current >= max)
            {
                return false;
            }

            if (current == 0 ? _perPrincipal.TryAdd(principal, 1) : _perPrincipal.TryUpdate(principal, current + 1, current))
            {
                Interlocked.Increment(ref _open);
                return true;
            }
        }
    }

    public void Close(string principal)
    {
        Interlocked.Decrement(ref _open);
        _perPrincipal.AddOrUpdate(principal, 0, (_, count) => count - 1);
        _perPrincipal.TryRemove(new KeyValuePair<string, int>(principal, 0));
    }

    public void Dispose() => _teardowns.Dispose();
}
