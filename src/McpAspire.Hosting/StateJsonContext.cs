using System.Text.Json;
using System.Text.Json.Serialization;
using McpAspire.Hosting.RequestState;
using McpAspire.Hosting.Scaling;
using McpAspire.State;

namespace McpAspire.Hosting;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ReplicaBus.Envelope))]
[JsonSerializable(typeof(SealedRequestState))]
[JsonSerializable(typeof(McpAspire.Abstractions.ResourceChange))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
