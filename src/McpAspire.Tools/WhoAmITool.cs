using System.ComponentModel;
using McpAspire.Abstractions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools;

[McpServerToolType]
public sealed class WhoAmITool(IMcpCallerAccessor callers)
{
    [McpServerTool(Name = "whoami", Title = "Who am I", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Tells the caller how it is connected: transport, session id, replica, principal, protocol version and client name.")]
    public McpCaller WhoAmI(RequestContext<CallToolRequestParams> request) => callers.GetCaller(request.Server, request.User);
}
