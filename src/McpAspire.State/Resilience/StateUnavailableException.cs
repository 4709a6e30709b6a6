using ModelContextProtocol;

namespace McpAspire.State.Resilience;

/// <summary>The shared state store failed a call. The message says what the caller can rely on.</summary>
public sealed class StateUnavailableException : McpException
{
    private StateUnavailableException(string message, Exception? inner)
        : base(message, inner)
    {
    }

    /// <summary>The command never reached Redis (no connection, or the circuit is open): nothing was changed.</summary>
    public static StateUnavailableException NotChanged(string operation, Exception? inner) =>
        new($"{operation} is unavailable right now: the shared state store (Redis) is unreachable. Nothing was changed; try again shortly.", inner);

    /// <summary>
    /// The command was sent and no answer came in time (a stalled server): it may still be applied. The caller was not
    /// told it succeeded, and is told to check.
    /// </summary>
    public static StateUnavailableException OutcomeUnknown(string operation, Exception? inner) =>
        new($"{operation} did not complete: the shared state store (Redis) did not answer in time. The change may still be applied; read it back before retrying.", inner);

    /// <summary>The replica holding a session is silent: crashed a moment ago, or reconnecting after a Redis outage.</summary>
    public static StateUnavailableException ReplicaSilent(string owner) =>
        new($"The replica that holds this session ({owner}) is not answering; it may be reconnecting. Try again shortly.", null);

    /// <summary>A read got no answer, retries included: nothing was changed.</summary>
    public static StateUnavailableException ReadFailed(string operation, Exception? inner) =>
        new($"{operation} is unavailable right now: the shared state store (Redis) did not answer. Try again shortly.", inner);
}
