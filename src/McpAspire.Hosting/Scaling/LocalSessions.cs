using System.Collections.Concurrent;

namespace McpAspire.Hosting.Scaling;

/// <summary>The sessions this replica holds in memory right now, by id: legacy SSE streams and Streamable HTTP copies.</summary>
internal sealed class LocalSessions
{
    private readonly ConcurrentDictionary<string, bool> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public int CountLegacy => _sessions.Values.Count(legacy => legacy);

    public void Add(string sessionId, bool legacy) => _sessions[sessionId] = legacy;

    public void Remove(string sessionId) => _sessions.TryRemove(sessionId, out _);

    public bool Holds(string sessionId) => _sessions.ContainsKey(sessionId);

    public bool HoldsStreamable(string sessionId) => _sessions.TryGetValue(sessionId, out var legacy) && !legacy;
}
