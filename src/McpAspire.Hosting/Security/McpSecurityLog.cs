using Microsoft.Extensions.Logging;

namespace McpAspire.Hosting.Security;

internal static partial class McpSecurityLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "No credentials are configured, so every MCP request is refused with 401{Exception}. " +
        "Set McpAspire__Security__ApiKeys__{{name}}__Hash=sha256:{{hex}} with McpAspire__Security__ApiKeys__{{name}}__Scopes__0=*, " +
        "or McpAspire__Security__Jwt__Authority and McpAspire__Security__Jwt__Audience.")]
    public static partial void NoCredentials(ILogger logger, string exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP is mapped without AddMcpAspireSecurity(): no authentication, no HTTPS requirement, no allow-lists. Call builder.AddMcpAspireSecurity() in a host that faces a network.")]
    public static partial void Unsecured(ILogger logger);
}
