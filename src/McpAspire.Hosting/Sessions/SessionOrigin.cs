namespace McpAspire.Hosting.Sessions;

/// <summary>
/// What a session began with: the client's <c>initialize</c> parameters as JSON (null for legacy SSE, whose session is
/// its stream) and the user-id claim the SDK binds the session to (null when anonymous).
/// </summary>
internal sealed record SessionOrigin(string? InitializeParamsJson, SessionUser? User);
