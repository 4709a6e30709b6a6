using McpAspire.Abstractions;
using McpAspire.Hosting.Sessions;
using McpAspire.State;
using McpAspire.State.Resilience;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// A session on the scaled-out front-end exists only once every replica can find it in Redis: a session handed out
/// unrecorded would be served by the replica that made it and be unknown (404) on every other one, so the client
/// would lose it on its next request after a Redis outage. Starting one therefore waits a little for Redis, and
/// if Redis stays away the start fails (503, retry) rather than hand out such a session.
/// </summary>
internal static class SessionRecords
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>Records the session, waiting for Redis up to three operation timeouts.</summary>
    public static async Task StartAsync(ISessionStore sessions, McpCaller caller, SessionOrigin origin, McpAspireStateOptions options, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + options.OperationTimeout * 3;
        while (true)
        {
            try
            {
                await sessions.StartAsync(caller, origin, cancellationToken);
                return;
            }
            catch (StateUnavailableException) when (DateTimeOffset.UtcNow + RetryDelay < deadline)
            {
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }
}
