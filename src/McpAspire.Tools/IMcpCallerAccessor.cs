using System.Security.Claims;
using ModelContextProtocol.Server;

namespace McpAspire.Tools;

/// <summary>
/// Describes the caller of the current request. Each host supplies the implementation that knows its transport:
/// the sidecar's is <see cref="LocalCallerAccessor"/>, the HTTP hosts' lives in McpAspire.Hosting.
/// </summary>
public interface IMcpCallerAccessor
{
    McpCaller GetCaller(McpServer server, ClaimsPrincipal? user);
}
