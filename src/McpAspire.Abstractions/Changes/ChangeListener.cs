using System.Threading.Channels;

namespace McpAspire.Abstractions;

/// <summary>
/// One listener of an <see cref="IChangeFeed"/>: the changes it has yet to take, in order. A listener that falls more than
/// <see cref="Capacity"/> changes behind is completed with a <see cref="ChangeListenerOverflowException"/> rather than
/// skipping any, so its consumer can tell its client to listen again.
/// </summary>
public sealed class ChangeListener : IDisposable
{
    /// <summary>How many changes a listener may have waiting before it is cut off.</summary>
    public const int Capacity = 4096;

    private readonly Channel<ResourceChange> _changes = Channel.CreateBounded<ResourceChange>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Action<ChangeListener> _onDispose;

    /// <summary>A listener whose disposal calls <paramref name="onDispose"/> (the feed forgets it there).</summary>
    public ChangeListener(Action<ChangeListener> onDispose) => _onDispose = onDispose;

    /// <summary>The changes heard, in order; completed with <see cref="ChangeListenerOverflowException"/> if the reader fell too far behind.</summary>
    public ChannelReader<ResourceChange> Changes => _changes.Reader;

    /// <summary>Hands <paramref name="change"/> to the listener without waiting; a listener that is full is cut off.</summary>
    public void Offer(ResourceChange change)
    {
        if (!_changes.Writer.TryWrite(change))
        {
            _changes.Writer.TryComplete(new ChangeListenerOverflowException());
        }
    }

    /// <summary>
    /// Ends <see cref="Changes"/> as if the feed had ended: a reader's loop then finishes normally instead of throwing
    /// (what a listener whose client has left wants: no exception to unwind). The listener still hears nothing more
    /// once disposed.
    /// </summary>
    public void End() => _changes.Writer.TryComplete();

    /// <summary>Ends <see cref="Changes"/> and stops hearing the feed.</summary>
    public void Dispose()
    {
        _changes.Writer.TryComplete();
        _onDispose(this);
    }
}
