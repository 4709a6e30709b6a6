using System.Text.Json;
using ModelContextProtocol;

namespace McpAspire.Tools;

/// <summary>The options McpAspire's tools and prompts are registered with: the SDK's, with <see cref="ToolsJsonContext"/> asked first.</summary>
internal static class ToolsJson
{
    // Not a static of the context itself: the order of static initializers across its generated partial files is not defined.
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(McpJsonUtilities.DefaultOptions);
        options.TypeInfoResolverChain.Insert(0, ToolsJsonContext.Default);
        options.MakeReadOnly();
        return options;
    }
}
