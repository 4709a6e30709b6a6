using McpAspire.Abstractions;
using McpAspire.State;

namespace McpAspire.Hosting.Sessions;

/// <summary>Sessions of every transport and replica, with a sliding expiry.</summary>
internal interface ISessionStore
{
    /// <summary>Records that <paramref name="caller"/>'s session was seen now, creating the record on first sight.</summary>
    Task TouchAsync(McpCaller caller, CancellationToken cancellationToken);

    /// <summary>
    /// Records a session as it starts, with what another replica needs to adopt or reach it: the client's
    /// <c>initialize</c> parameters (Streamable HTTP) and the identity that opened it.
    /// </summary>
    Task StartAsync(McpCaller caller, SessionOrigin origin, CancellationToken cancellationToken);

    Task<SessionRecord?> GetAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Forgets a session that ended (DELETE, or its legacy SSE stream closed): no replica serves it again.</summary>
    Task DeleteAsync(string sessionId, CancellationToken cancellationToken);
}
