using System.Text.Json;
using System.Text.Json.Serialization;
using McpAspire.State.Notes;

namespace McpAspire.State;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StoredNote))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
