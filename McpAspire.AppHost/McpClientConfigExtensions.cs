using System.Text.Json;
using System.Text.Json.Nodes;

namespace Aspire.Hosting;

public static class McpClientConfigExtensions
{
    public const string FileName = "mcp.json";

    /// <summary>
    /// Once the resources run, writes <c>mcp.json</c> (VS Code's format) beside the AppHost: the stdio sidecar wired to
    /// the same cache as the remote hosts, and the remote endpoints. Copy it to <c>.vscode/mcp.json</c>. It holds this
    /// run's ports and the cache connection string, so it is git-ignored. Run mode only.
    /// </summary>
    public static IDistributedApplicationBuilder WithMcpClientConfig(
        this IDistributedApplicationBuilder builder,
        McpAspireCache cache,
        IResourceBuilder<ProjectResource> frontEnd,
        IResourceBuilder<ProjectResource> worker)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }

        var path = Path.Combine(builder.AppHostDirectory, FileName);
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>(async (_, cancellationToken) =>
        {
            var frontEndUrl = frontEnd.GetEndpoint("http").Url;
            var workerUrl = worker.GetEndpoint("http").Url;
            var config = new JsonObject
            {
                ["servers"] = new JsonObject
                {
                    ["mcpaspire-local"] = new JsonObject
                    {
                        ["type"] = "stdio",
                        ["command"] = "dotnet",
                        ["args"] = new JsonArray(McpAspireResourceExtensions.StdioSidecarPath()),
                        ["env"] = new JsonObject { ["ConnectionStrings__cache"] = await cache.Connection.Resource.GetConnectionStringAsync(cancellationToken) },
                    },
                    ["mcpaspire-remote"] = new JsonObject { ["type"] = "http", ["url"] = $"{frontEndUrl}/mcp" },
                    ["mcpaspire-remote-legacy-sse"] = new JsonObject { ["type"] = "sse", ["url"] = $"{frontEndUrl}/sse" },
                    ["mcpaspire-worker"] = new JsonObject { ["type"] = "http", ["url"] = $"{workerUrl}/mcp" },
                },
            };
            await File.WriteAllTextAsync(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        });
        return builder;
    }
}
