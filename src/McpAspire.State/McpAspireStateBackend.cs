using StackExchange.Redis;

namespace McpAspire.State;

/// <summary>
/// Where this host keeps McpAspire's state, decided once, by <c>AddMcpAspireState</c>: the Redis its connection string
/// names, shared by every replica and transport, or this process's own memory. Every part of the state and every
/// feature that needs Redis reads the decision here; nothing else asks the container whether Redis is there.
/// </summary>
public sealed class McpAspireStateBackend
{
    internal McpAspireStateBackend(IConnectionMultiplexer? redis) => Redis = redis;

    /// <summary>The shared Redis, or null when the state is this process's own.</summary>
    public IConnectionMultiplexer? Redis { get; }

    /// <summary>Whether the state is shared through Redis (else it lives and dies with this process).</summary>
    public bool IsShared => Redis is not null;
}
