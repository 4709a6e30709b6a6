using System.Security.Claims;
using McpAspire.Tools;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Http;

/// <summary>
/// The caller on the HTTP transports: legacy SSE when the session's stream came from <c>/sse</c>, Streamable HTTP otherwise.
/// A caller that did not authenticate is <see cref="AnonymousPrincipal"/>.
/// </summary>
internal sealed class HttpCallerAccessor(IHttpContextAccessor http, IOptions<McpAspireToolsOptions> options) : IMcpCallerAccessor
{
    public const string AnonymousPrincipal = "anonymous";
    private const string SessionIdHeader = "Mcp-Session-Id";

    public McpCaller GetCaller(McpServer server, ClaimsPrincipal? user)
    {
        var context = http.HttpContext;
        return new McpCaller(
            Principal: PrincipalName.Of(user) ?? PrincipalName.Of(context?.User) ?? AnonymousPrincipal,
            Transport: IsLegacySse(context) ? McpTransports.Sse : McpTransports.StreamableHttp,
            SessionId: server.SessionId ?? NullIfEmpty(context?.Request.Headers[SessionIdHeader].ToString()),
            InstanceId: options.Value.InstanceId,
            ProtocolVersion: server.NegotiatedProtocolVersion ?? NullIfEmpty(context?.Request.Headers["MCP-Protocol-Version"].ToString()),
            ClientName: server.ClientInfo?.Name);
    }

    // The legacy transport runs a session's handlers under its GET /sse request, or its POST /message one.
    private static bool IsLegacySse(HttpContext? context) =>
        context?.Request.Path.Value is { } path &&
        (path.EndsWith("/sse", StringComparison.Ordinal) || path.EndsWith("/message", StringComparison.Ordinal));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
