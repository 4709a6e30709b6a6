using System.Text.Json;
using System.Text.Json.Serialization;
using McpAspire.Abstractions;
using McpAspire.Tools.Notes;

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
