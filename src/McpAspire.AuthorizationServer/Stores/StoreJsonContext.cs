using System.Text.Json.Serialization;

namespace McpAspire.AuthorizationServer.Stores;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OAuthApplication))]
[JsonSerializable(typeof(OAuthAuthorization))]
[JsonSerializable(typeof(OAuthToken))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
