using System.Text.Json;
using System.Text.Json.Serialization;
using McpAspire.State.Notes;
using McpAspire.State.Sessions;

namespace McpAspire.State;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StoredNote))]
[JsonSerializable(typeof(SessionRecord))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
