using System.Text.Json;
using System.Text.Json.Serialization;
using McpAspire.Tools.Notes;
using McpAspire.Abstractions;
using ModelContextProtocol;

namespace McpAspire.Tools;

/// <summary>
/// Source-generated JSON metadata for what McpAspire's tools and prompts take and return, so the SDK describes and
/// serializes them without reflection: the stdio sidecar publishes as Native AOT, where there is none.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Note))]
[JsonSerializable(typeof(StoredNote))]
[JsonSerializable(typeof(IReadOnlyList<Note>))]
[JsonSerializable(typeof(RateLimitReport))]
[JsonSerializable(typeof(McpCaller))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(bool))]
internal sealed partial class ToolsJsonContext : JsonSerializerContext;

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
