using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting;

/// <summary>
/// Gives every server the same tool, prompt and resource collections, built once from the primitives registered in DI.
/// The SDK builds new collections from them for every server it starts (<c>McpServerOptionsSetup</c>), and a stateless
/// HTTP host starts one per request: about 3 KB of dictionaries per call, for a set that never changes while the host
/// runs. Finding the collections already set, the SDK's setup only looks each primitive up. Registered ahead of the
/// SDK's setup (<see cref="Microsoft.Extensions.Hosting.McpServerHostingExtensions.AddMcpAspireServer{TToolSet}"/>).
/// A server on a stateful session subscribes to the collections' change events while it runs, as it does to its own.
/// </summary>
internal sealed class SharedPrimitiveCollections(
    IEnumerable<McpServerTool> tools,
    IEnumerable<McpServerPrompt> prompts,
    IEnumerable<McpServerResource> resources) : IConfigureOptions<McpServerOptions>
{
    private readonly McpServerPrimitiveCollection<McpServerTool> _tools = Collect(new McpServerPrimitiveCollection<McpServerTool>(), tools);
    private readonly McpServerPrimitiveCollection<McpServerPrompt> _prompts = Collect(new McpServerPrimitiveCollection<McpServerPrompt>(), prompts);
    private readonly McpServerResourceCollection _resources = Collect(new McpServerResourceCollection(), resources);

    public void Configure(McpServerOptions options)
    {
        // A collection someone set already is theirs; an empty one is left unset, as the SDK leaves it.
        if (!_tools.IsEmpty)
        {
            options.ToolCollection ??= _tools;
        }

        if (!_prompts.IsEmpty)
        {
            options.PromptCollection ??= _prompts;
        }

        if (!_resources.IsEmpty)
        {
            options.ResourceCollection ??= _resources;
        }
    }

    private static TCollection Collect<TCollection, TPrimitive>(TCollection collection, IEnumerable<TPrimitive> primitives)
        where TCollection : McpServerPrimitiveCollection<TPrimitive>
        where TPrimitive : IMcpServerPrimitive
    {
        foreach (var primitive in primitives)
        {
            collection.TryAdd(primitive);
        }

        return collection;
    }
}
