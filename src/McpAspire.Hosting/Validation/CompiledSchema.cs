using System.Text.Json;
using Json.Schema;

namespace McpAspire.Hosting.Validation;

/// <summary>A tool's input schema, built once, with what the fast path needs to know of it.</summary>
internal sealed class CompiledSchema
{
    public CompiledSchema(JsonElement inputSchema)
    {
        Schema = JsonSchema.Build(inputSchema, new BuildOptions());
        Required = inputSchema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
            ? [.. required.EnumerateArray().Select(r => r.GetString()!)]
            : [];
        BinderEnforced = IsBinderEnforced(inputSchema);
    }

    /// <summary>Keywords the SDK's binder enforces by itself, or that say nothing about validity.</summary>
    private static readonly HashSet<string> BinderKeywords = ["type", "properties", "required", "description", "title", "default", "items", "$schema"];

    public JsonSchema Schema { get; }

    public string[] Required { get; }

    /// <summary>True when the schema, at every level, uses only keywords the SDK's binder enforces itself.</summary>
    public bool BinderEnforced { get; }

    /// <summary>Every required argument is there and not null.</summary>
    public bool HasRequired(IDictionary<string, JsonElement>? arguments)
    {
        foreach (var name in Required)
        {
            if (arguments is null || !arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsBinderEnforced(JsonElement schema) => schema.ValueKind != JsonValueKind.Object || schema.EnumerateObject().All(keyword =>
        keyword.Name switch
        {
            "properties" => keyword.Value.ValueKind == JsonValueKind.Object && keyword.Value.EnumerateObject().All(p => IsBinderEnforced(p.Value)),
            "items" => IsBinderEnforced(keyword.Value),
            _ => BinderKeywords.Contains(keyword.Name),
        });
}
