namespace McpAspire.Abstractions;

/// <summary>
/// Changes to subscribable resources, published by whatever makes them (on any transport and any replica) and heard by
/// every listener on every replica: through Redis pub/sub where the deployment has one, within the process otherwise.
/// </summary>
public interface IChangeFeed
{
    /// <summary>
    /// Publishes <paramref name="change"/>. Notifications are best effort: a change that cannot be published (Redis away)
    /// is logged and heard by this replica's listeners only; the write it describes stands.
    /// </summary>
    Task PublishAsync(ResourceChange change, CancellationToken cancellationToken);

    /// <summary>A listener that hears every change published from now on, in the order this replica receives them, until disposed.</summary>
    ChangeListener Listen();
}
