namespace McpAspire.Tools;

/// <summary>Who is calling a tool, and over what: the facts <c>whoami</c> reports and per-principal state is keyed by.</summary>
/// <param name="Principal">The caller's identity; notes and rate limits are scoped by it.</param>
/// <param name="Transport">One of <see cref="McpTransports"/>.</param>
/// <param name="SessionId">The MCP session id, or null where the transport has none (stateless HTTP).</param>
/// <param name="InstanceId">The host process (replica) that served the call.</param>
/// <param name="ProtocolVersion">The negotiated or per-request MCP protocol version.</param>
/// <param name="ClientName">The client's self-reported name, when it sent one.</param>
public sealed record McpCaller(
    string Principal,
    string Transport,
    string? SessionId,
    string InstanceId,
    string? ProtocolVersion,
    string? ClientName);
