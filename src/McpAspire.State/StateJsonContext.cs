using System.Text.Json;
using System.Text.Json.Serialization;
using McpAspire.State.Replicas;
using McpAspire.State.RequestState;

namespace McpAspire.State;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ReplicaBus.Envelope))]
[JsonSerializable(typeof(SealedRequestState))]
[JsonSerializable(typeof(McpAspire.Abstractions.ResourceChange))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
