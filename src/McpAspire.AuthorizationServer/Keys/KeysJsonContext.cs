using System.Text.Json.Serialization;

namespace McpAspire.AuthorizationServer.Keys;

[JsonSerializable(typeof(StoredKey))]
internal sealed partial class KeysJsonContext : JsonSerializerContext;
