using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Abstractions;

/// <summary>
/// A tool method as an <see cref="AIFunction"/> whose schemas were written at build time and whose call is generated
/// code, handed to the SDK's <c>McpServerTool.Create(AIFunction, …)</c>: the SDK's own tool (its listing at every
/// protocol revision, its results and structured content) with no schema built and no reflection at run time.
/// </summary>
internal sealed class GeneratedAIFunction : AIFunction
{
    private readonly GeneratedDescription _description;

    private GeneratedAIFunction(Tool tool, GeneratedDescription description, JsonSerializerOptions json)
    {
        _description = description;
        Name = tool.Name;
        Description = tool.Description ?? "";
        JsonSchema = tool.InputSchema;
        ReturnJsonSchema = tool.OutputSchema;
        JsonSerializerOptions = json;
    }

    public override string Name { get; }

    public override string Description { get; }

    public override JsonElement JsonSchema { get; }

    public override JsonElement? ReturnJsonSchema { get; }

    public override JsonSerializerOptions JsonSerializerOptions { get; }

    /// <summary>The SDK's tool for the method, as its <c>WithTools&lt;T&gt;</c> would make it, from the generated description.</summary>
    public static McpServerTool CreateTool(GeneratedDescription description, MethodInfo method, IServiceProvider services, JsonSerializerOptions? serializerOptions)
    {
        var tool = JsonSerializer.Deserialize(description.ToolJson, (JsonTypeInfo<Tool>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Tool)))
            ?? throw new InvalidOperationException("A generated tool description is empty.");
        if (description.DerivedName is not null)
        {
            tool.Name = JsonNamingPolicy.SnakeCaseLower.ConvertName(description.DerivedName);
        }

        var function = new GeneratedAIFunction(tool, description, serializerOptions ?? McpJsonUtilities.DefaultOptions);
        return McpServerTool.Create(function, new McpServerToolCreateOptions
        {
            Name = tool.Name,
            Title = tool.Title,
            Description = tool.Description,
            Destructive = tool.Annotations?.DestructiveHint,
            Idempotent = tool.Annotations?.IdempotentHint,
            OpenWorld = tool.Annotations?.OpenWorldHint,
            ReadOnly = tool.Annotations?.ReadOnlyHint,
            UseStructuredContent = tool.OutputSchema is not null,
            Services = services,
            SerializerOptions = function.JsonSerializerOptions,
            Metadata = new MethodMetadata(method),
        });
    }

    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        _description.Invoke(arguments, JsonSerializerOptions, cancellationToken);

    /// <summary>
    /// What the SDK's tool carries as metadata (the method, then its type's attributes, then its own), read on first
    /// use: filters read it per call, and start-up need not.
    /// </summary>
    private sealed class MethodMetadata(MethodInfo method) : IReadOnlyList<object>
    {
        private readonly Lazy<object[]> _items = new(() =>
            [method, .. method.DeclaringType?.GetCustomAttributes() ?? [], .. method.GetCustomAttributes()]);

        public int Count => _items.Value.Length;

        public object this[int index] => _items.Value[index];

        public IEnumerator<object> GetEnumerator() => ((IEnumerable<object>)_items.Value).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _items.Value.GetEnumerator();
    }
}
