using McpAspire.Tools;

namespace McpAspire.State.Sessions;

/// <summary>Sessions of every transport and replica, with a sliding expiry.</summary>
public interface ISessionStore
{
    /// <summary>Records that <paramref name="caller"/>'s session was seen now, creating the record on first sight.</summary>
    Task TouchAsync(McpCaller caller, CancellationToken cancellationToken);

    Task<SessionRecord?> GetAsync(string sessionId, CancellationToken cancellationToken);
}
