namespace McpAspire.State.Sessions;

/// <summary>What the shared store knows of a session: enough for whoami, the dashboard, and a replica adopting it.</summary>
internal sealed record SessionRecord(
    string SessionId,
    string OwnerInstance,
    string Transport,
    string Principal,
    string? ProtocolVersion,
    string? ClientName,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt)
{
    /// <summary>How the session began; null for a session only ever touched (stdio, stateless callers).</summary>
    public SessionOrigin? Origin { get; init; }
}

/// <summary>
/// What a session began with: the client's <c>initialize</c> parameters as JSON (null for legacy SSE, whose session is
/// its stream) and the user-id claim the SDK binds the session to (null when anonymous).
/// </summary>
internal sealed record SessionOrigin(string? InitializeParamsJson, SessionUser? User);

/// <summary>The claim a session is bound to: the SDK compares type, value and issuer.</summary>
internal sealed record SessionUser(string ClaimType, string Value, string Issuer);
