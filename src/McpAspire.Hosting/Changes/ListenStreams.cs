using System.Collections.Concurrent;

namespace McpAspire.Hosting.Changes;

/// <summary>The <c>subscriptions/listen</c> streams open on this replica, per principal: the cap and the gauge.</summary>
internal sealed class ListenStreams
{
    private readonly ConcurrentDictionary<string, int> _perPrincipal = new(StringComparer.Ordinal);
    private int _open;

    public int Open => Volatile.Read(ref _open);

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
}
