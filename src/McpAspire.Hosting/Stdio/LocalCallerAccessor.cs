using System.Security.Claims;
using McpAspire.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Stdio;

/// <summary>The caller on the stdio transport: the local user who spawned the sidecar.</summary>
internal sealed class LocalCallerAccessor(IOptions<McpAspireOptions> options) : IMcpCallerAccessor
{
    // A stdio process serves exactly one session, which the protocol leaves unnamed; name it so it can be recorded and traced.
    private readonly string _sessionId = $"stdio-{Guid.NewGuid():N}";

    /// <inheritdoc />
    public McpCaller GetCaller(McpServer server, ClaimsPrincipal? user) => Tasks.RunningTaskCaller.Current ?? new(
        Principal: PrincipalName.Of(user) ?? options.Value.LocalPrincipal,
        Transport: McpTransports.Stdio,
        SessionId: server.SessionId ?? _sessionId,
        InstanceId: options.Value.InstanceId,
        ProtocolVersion: server.NegotiatedProtocolVersion,
        ClientName: server.ClientInfo?.Name);
}
