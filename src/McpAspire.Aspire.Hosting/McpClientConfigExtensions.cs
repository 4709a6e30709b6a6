using System.Text.Json;
using System.Text.Json.Nodes;

namespace Aspire.Hosting;

/// <summary>The MCP client configuration a local run writes for desktop clients.</summary>
public static class McpClientConfigExtensions
{
    /// <summary>The file written beside the AppHost.</summary>
    public const string FileName = "mcp.json";

    /// <summary>
    /// Once the resources run, writes <c>mcp.json</c> (VS Code's format) beside the AppHost: the stdio sidecar
    /// <typeparamref name="TSidecar"/> wired to the same cache as the remote hosts, and the remote endpoints, each server
    /// named after <paramref name="serverName"/> (<c>{serverName}-local</c>, <c>-remote</c>, <c>-remote-legacy-sse</c>,
    /// <c>-worker</c>). Copy it to <c>.vscode/mcp.json</c>. It holds this run's ports and the cache connection string, so
    /// it is git-ignored. Run mode only.
    /// </summary>
    /// <typeparam name="TSidecar">The stdio sidecar's project, as the AppHost's project reference names it (<c>Projects.*</c>).</typeparam>
    public static IDistributedApplicationBuilder WithMcpClientConfig<TSidecar>(
        this IDistributedApplicationBuilder builder,
        string serverName,
        McpAspireCache cache,
        IResourceBuilder<ProjectResource> frontEnd,
        IResourceBuilder<ProjectResource> worker)
        where TSidecar : IProjectMetadata, new()
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
                    [$"{serverName}-local"] = new JsonObject
                    {
                        ["type"] = "stdio",
                        ["command"] = "dotnet",
                        ["args"] = new JsonArray(McpAspireResourceExtensions.StdioSidecarPath<TSidecar>()),
                        ["env"] = new JsonObject { ["ConnectionStrings__cache"] = await cache.Connection.Resource.GetConnectionStringAsync(cancellationToken) },
                    },
                    [$"{serverName}-remote"] = new JsonObject { ["type"] = "http", ["url"] = $"{frontEndUrl}/mcp" },
                    [$"{serverName}-remote-legacy-sse"] = new JsonObject { ["type"] = "sse", ["url"] = $"{frontEndUrl}/sse" },
                    [$"{serverName}-worker"] = new JsonObject { ["type"] = "http", ["url"] = $"{workerUrl}/mcp" },
                },
            };
            await File.WriteAllTextAsync(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        });
        return builder;
    }
}
