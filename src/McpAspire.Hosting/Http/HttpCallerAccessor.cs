using System.Security.Claims;
using McpAspire.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Http;

/// <summary>
/// The caller on the HTTP transports: legacy SSE when the session's stream came from <c>/sse</c>, Streamable HTTP otherwise.
/// A caller that did not authenticate is <see cref="AnonymousPrincipal"/>.
/// </summary>
internal sealed class HttpCallerAccessor(IHttpContextAccessor http, IOptions<McpAspireOptions> options) : IMcpCallerAccessor
{
    public const string AnonymousPrincipal = "anonymous";

    public McpCaller GetCaller(McpServer server, ClaimsPrincipal? user)
    {
        // A task's tool runs after its request has ended, for the caller who started it.
        if (Tasks.RunningTaskCaller.Current is { } running)
        {
            return running;
        }

        var context = http.HttpContext;
        return new McpCaller(
            Principal: PrincipalName.Of(user) ?? PrincipalOf(context),
            Transport: TransportOf(context),
            SessionId: server.SessionId ?? NullIfEmpty(context?.Request.Headers[McpHeaders.SessionId].ToString()),
            InstanceId: options.Value.InstanceId,
            ProtocolVersion: server.NegotiatedProtocolVersion ?? NullIfEmpty(context?.Request.Headers[McpHeaders.ProtocolVersion].ToString()),
            ClientName: server.ClientInfo?.Name);
    }

    /// <summary>The principal of an HTTP request: its authenticated user, else <see cref="AnonymousPrincipal"/>.</summary>
    public static string PrincipalOf(HttpContext? context) => PrincipalName.Of(context?.User) ?? AnonymousPrincipal;

    /// <summary>
    /// The MCP transport of an HTTP request: the legacy transport runs a session's handlers under its GET /sse request,
    /// or its POST /message one; anything else is Streamable HTTP.
    /// </summary>
    public static string TransportOf(HttpContext? context) =>
        context?.Request.Path.Value is { } path &&
        (path.EndsWith("/sse", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/message", StringComparison.OrdinalIgnoreCase))
            ? McpTransports.Sse
            : McpTransports.StreamableHttp;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
