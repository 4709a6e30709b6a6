using Microsoft.Extensions.DependencyInjection;
using System.Reflection;
using Microsoft.Extensions.Logging;
using McpAspire.Hosting.Stdio;
using ModelContextProtocol.Protocol;

namespace Microsoft.Extensions.Hosting;

public static class McpServerHostingExtensions
{
    public const string ServerName = "McpAspire";

    /// <summary>
    /// Adds the MCP server every McpAspire host runs: its identity and the tool set. The caller adds the transport.
    /// </summary>
    public static IMcpServerBuilder AddMcpAspireServer(this IHostApplicationBuilder builder)
    {
        // The SDK logs three Information lines per request (handler called, tool completed, handler completed); traces
        // carry the same facts, and on stdio every line is a write to stderr. A default only: configuring the category wins.
        if (builder.Configuration[$"Logging:LogLevel:{SdkServerLogCategory}"] is null)
        {
            builder.Logging.AddFilter(SdkServerLogCategory, LogLevel.Warning);
        }

        return builder.Services
            .AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = ServerName, Title = "McpAspire", Version = ServerVersion };
                options.ServerInstructions = "Notes, echo and diagnostics tools served alike over stdio, SSE and Streamable HTTP. " +
                    "Notes written on one transport are read back on any other by the same principal.";
            })
            .WithMcpAspireTools()
            .WithMcpAspireSealedRequestState();
    }

    /// <summary>
    /// Serves the MCP server on stdin/stdout, as the SDK's stdio transport does, with what a sidecar needs beside it:
    /// request ids checked per session, and the process stopped (calls in flight cancelled) once the client closes stdin.
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireStdioTransport(this IMcpServerBuilder builder)
    {
        builder.Services.AddHostedService<StdinClosedWatcher>();
        return builder.WithStdioServerTransport().WithMcpAspireRequestIdGuard();
    }

    /// <summary>The SDK's per-request log category.</summary>
    private const string SdkServerLogCategory = "ModelContextProtocol.Server.McpServer";

    private static string ServerVersion { get; } =
        typeof(McpServerHostingExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
