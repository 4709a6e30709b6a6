using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpAspire.Tools.Validation;

[JsonSerializable(typeof(IDictionary<string, JsonElement>))]
internal sealed partial class ArgumentsContext : JsonSerializerContext;
