namespace McpAspire.State.Sessions;

/// <summary>What the shared store knows of a session: enough for whoami, the dashboard, and a replica adopting it.</summary>
public sealed record SessionRecord(
    string SessionId,
    string OwnerInstance,
    string Transport,
    string Principal,
    string? ProtocolVersion,
    string? ClientName,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt);
