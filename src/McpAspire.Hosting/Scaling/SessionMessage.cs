using McpAspire.Hosting.Sessions;
using McpAspire.State;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// A client message for a session, carried between replicas: the raw JSON-RPC body and who sent it, as the user claim the
/// session is bound to and the tool scopes it was granted (never the credentials themselves).
/// </summary>
internal sealed record SessionMessage(string SessionId, string? Body, SessionUser? User, IReadOnlyList<string>? Scopes = null);
