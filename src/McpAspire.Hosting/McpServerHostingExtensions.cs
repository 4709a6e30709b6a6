using Microsoft.Extensions.DependencyInjection;
using System.Reflection;
using ModelContextProtocol.Protocol;

namespace Microsoft.Extensions.Hosting;

public static class McpServerHostingExtensions
{
    public const string ServerName = "McpAspire";

    /// <summary>
    /// Adds the MCP server every McpAspire host runs: its identity and the tool set. The caller adds the transport.
    /// </summary>
    public static IMcpServerBuilder AddMcpAspireServer(this IHostApplicationBuilder builder) =>
        builder.Services
            .AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = ServerName, Title = "McpAspire", Version = ServerVersion };
                options.ServerInstructions = "Notes, echo and diagnostics tools served alike over stdio, SSE and Streamable HTTP. " +
                    "Notes written on one transport are read back on any other by the same principal.";
            })
            .WithMcpAspireTools();

    private static string ServerVersion { get; } =
        typeof(McpServerHostingExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
