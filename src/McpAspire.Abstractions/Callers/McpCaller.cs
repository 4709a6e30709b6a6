using System.Text.Json.Serialization;

namespace McpAspire.Abstractions;

/// <summary>Who is calling a tool, and over what: the facts <c>whoami</c> reports and per-principal state is keyed by.</summary>
/// <param name="Principal">The caller's identity; per-caller state and rate limits are scoped by it.</param>
/// <param name="Transport">One of <see cref="McpTransports"/>.</param>
/// <param name="SessionId">The MCP session id, or null where the transport has none (stateless HTTP).</param>
/// <param name="InstanceId">The host process (replica) that served the call.</param>
/// <param name="ProtocolVersion">The negotiated or per-request MCP protocol version.</param>
/// <param name="ClientName">The client's self-reported name, when it sent one.</param>
/// <remarks>Nulls are written, not omitted: the generated output schema lists every member as required.</remarks>
public sealed record McpCaller(
    string Principal,
    string Transport,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? SessionId,
    string InstanceId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ProtocolVersion,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ClientName);
