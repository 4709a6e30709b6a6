using System.Text.Json.Serialization;

namespace McpAspire.AuthServer.Keys;

[JsonSerializable(typeof(StoredKey))]
internal sealed partial class KeysJsonContext : JsonSerializerContext;
