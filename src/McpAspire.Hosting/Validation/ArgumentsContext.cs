using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpAspire.Hosting.Validation;

[JsonSerializable(typeof(IDictionary<string, JsonElement>))]
internal sealed partial class ArgumentsContext : JsonSerializerContext;
