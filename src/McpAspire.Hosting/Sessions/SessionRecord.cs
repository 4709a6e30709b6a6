namespace McpAspire.Hosting.Sessions;

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
