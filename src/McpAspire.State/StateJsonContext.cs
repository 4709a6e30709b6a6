using System.Text.Json;
using System.Text.Json.Serialization;
using McpAspire.State.Notes;
using McpAspire.State.Replicas;

namespace McpAspire.State;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StoredNote))]
[JsonSerializable(typeof(ReplicaBus.Envelope))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
