using System.Text.Json.Serialization;

namespace McpAspire.Hosting.Tasks;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateTaskResult))]
internal sealed partial class TasksJsonContext : JsonSerializerContext;
