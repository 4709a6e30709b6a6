using System.Security.Claims;
using ModelContextProtocol.Server;

namespace McpAspire.Abstractions;

/// <summary>
/// Describes the caller of the current request. Each host supplies the implementation that knows its transport:
/// McpAspire.Hosting has one for stdio (the local user) and one for HTTP (the authenticated user of the request).
/// </summary>
public interface IMcpCallerAccessor
{
    /// <summary>The caller of the request that <paramref name="server"/> is serving, as <paramref name="user"/> was authenticated (null on stdio).</summary>
    McpCaller GetCaller(McpServer server, ClaimsPrincipal? user);
}
