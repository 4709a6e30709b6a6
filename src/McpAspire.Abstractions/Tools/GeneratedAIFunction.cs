using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace McpAspire.Abstractions;

/// <summary>
/// A tool, prompt or resource method as an <see cref="AIFunction"/> whose schemas were written at build time and whose
/// call is generated code, handed to the SDK's <c>Create(AIFunction, …)</c>: the SDK's own primitive (its listing at
/// every protocol revision, its results) with no schema built and no reflection at run time.
/// </summary>
internal sealed class GeneratedAIFunction : AIFunction
{
    private readonly Func<AIFunctionArguments, JsonSerializerOptions, CancellationToken, ValueTask<object?>> _invoke;

    private GeneratedAIFunction(Generated description, Func<AIFunctionArguments, JsonSerializerOptions, CancellationToken, ValueTask<object?>> invoke, JsonSerializerOptions json)
    {
        _invoke = invoke;
        Name = description.Name;
        Description = description.Text ?? "";
        JsonSchema = description.InputSchema;
        ReturnJsonSchema = description.OutputSchema;
        JsonSerializerOptions = json;
    }

    public override string Name { get; }

    public override string Description { get; }

    public override JsonElement JsonSchema { get; }

    public override JsonElement? ReturnJsonSchema { get; }

    public override JsonSerializerOptions JsonSerializerOptions { get; }

    /// <summary>The SDK's tool for the method, as its <c>WithTools&lt;T&gt;</c> would make it.</summary>
    public static McpServerTool Tool(GeneratedDescription generated, MethodInfo method, IServiceProvider services, JsonSerializerOptions? serializerOptions)
    {
        var (description, function) = Create(generated, serializerOptions);
        return McpServerTool.Create(function, new McpServerToolCreateOptions
        {
            Name = description.Name,
            Title = description.Title,
            Description = description.Text,
            Destructive = description.Hint("destructiveHint"),
            Idempotent = description.Hint("idempotentHint"),
            OpenWorld = description.Hint("openWorldHint"),
            ReadOnly = description.Hint("readOnlyHint"),
            UseStructuredContent = description.OutputSchema is not null,
            Services = services,
            SerializerOptions = function.JsonSerializerOptions,
            Metadata = new MethodMetadata(method),
        });
    }

    /// <summary>The SDK's prompt for the method, as its <c>WithPrompts&lt;T&gt;</c> would make it.</summary>
    public static McpServerPrompt Prompt(GeneratedDescription generated, MethodInfo method, IServiceProvider services, JsonSerializerOptions? serializerOptions)
    {
        var (description, function) = Create(generated, serializerOptions);
        return McpServerPrompt.Create(function, new McpServerPromptCreateOptions
        {
            Name = description.Name,
            Title = description.Title,
            Description = description.Text,
            Services = services,
            SerializerOptions = function.JsonSerializerOptions,
            Metadata = new MethodMetadata(method),
        });
    }

    /// <summary>The SDK's resource for the method, as its <c>WithResources&lt;T&gt;</c> would make it.</summary>
    public static McpServerResource Resource(GeneratedDescription generated, MethodInfo method, IServiceProvider services)
    {
        var (description, function) = Create(generated, serializerOptions: null);
        return McpServerResource.Create(function, new McpServerResourceCreateOptions
        {
            Name = description.Name,
            Title = description.Title,
            Description = description.Text,
            UriTemplate = description.String("uriTemplate"),
            MimeType = description.String("mimeType"),
            Services = services,
            Metadata = new MethodMetadata(method),
        });
    }

    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        _invoke(arguments, JsonSerializerOptions, cancellationToken);

    private static (Generated Description, GeneratedAIFunction Function) Create(GeneratedDescription generated, JsonSerializerOptions? serializerOptions)
    {
        var description = new Generated(JsonDocument.Parse(generated.Json).RootElement, generated.DerivedName);
        return (description, new GeneratedAIFunction(description, generated.Invoke, serializerOptions ?? McpJsonUtilities.DefaultOptions));
    }

    /// <summary>The generated JSON: <c>name</c>, <c>title</c>, <c>description</c>, <c>inputSchema</c>, <c>outputSchema</c>, <c>annotations</c>, <c>uriTemplate</c>, <c>mimeType</c>.</summary>
    private sealed class Generated(JsonElement json, string? derivedName)
    {
        public string Name { get; } = derivedName is null ? json.GetProperty("name").GetString()! : JsonNamingPolicy.SnakeCaseLower.ConvertName(derivedName);

        public string? Title => String("title");

        public string? Text => String("description");

        public JsonElement InputSchema => json.GetProperty("inputSchema");

        public JsonElement? OutputSchema => json.TryGetProperty("outputSchema", out var schema) ? schema : null;

        public string? String(string name) => json.TryGetProperty(name, out var value) ? value.GetString() : null;

        public bool? Hint(string name) =>
            json.TryGetProperty("annotations", out var hints) && hints.TryGetProperty(name, out var hint) ? hint.GetBoolean() : null;
    }

    /// <summary>
    /// What the SDK's primitive carries as metadata (the method, then its type's attributes, then its own), read on
    /// first use: filters read it per call, and start-up need not.
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
