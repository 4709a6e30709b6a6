using ModelContextProtocol;

namespace McpAspire.State.Resilience;

/// <summary>The shared state store did not answer; the caller is told so, and nothing was stored.</summary>
public sealed class StateUnavailableException(string operation, Exception? inner = null)
    : McpException($"{operation} is unavailable right now: the shared state store (Redis) did not answer. Nothing was changed; try again shortly.", inner);
