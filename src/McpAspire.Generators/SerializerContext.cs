using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace McpAspire.Generators;

/// <summary>A <c>JsonSerializerContext</c> of the project: the types it has metadata for, and whether it omits nulls.</summary>
/// <param name="Name">The context's class name, as the fix in a diagnostic names it.</param>
/// <param name="Covered">Every type it lists and every type reachable from them (members, elements), fully qualified.</param>
/// <param name="OmitsNulls">Whether its <c>DefaultIgnoreCondition</c> is <c>WhenWritingNull</c>.</param>
internal sealed record SerializerContext(string Name, EquatableArray<string> Covered, bool OmitsNulls)
{
    public static SerializerContext Describe(INamedTypeSymbol context, ImmutableArray<AttributeData> attributes)
    {
        var covered = new HashSet<string>();
        foreach (var attribute in attributes)
        {
            if (attribute.ConstructorArguments.FirstOrDefault().Value is ITypeSymbol listed)
            {
                Walk(listed, covered);
            }
        }

        // JsonIgnoreCondition.WhenWritingNull is 3.
        var omitsNulls = context.GetAttributes().Any(a =>
            a.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonSourceGenerationOptionsAttribute" &&
            a.NamedArguments.Any(n => n.Key == "DefaultIgnoreCondition" && n.Value.Value is 3));

        return new SerializerContext(context.Name, new EquatableArray<string>([.. covered.OrderBy(t => t, System.StringComparer.Ordinal)]), omitsNulls);
    }

    /// <summary>The type and what the serializer generates metadata for along with it.</summary>
    private static void Walk(ITypeSymbol type, HashSet<string> covered)
    {
        if (!covered.Add(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)))
        {
            return;
        }

        switch (type)
        {
            case IArrayTypeSymbol array:
                Walk(array.ElementType, covered);
                break;
            case INamedTypeSymbol named:
                foreach (var argument in named.TypeArguments)
                {
                    Walk(argument, covered);
                }

                if (named.SpecialType == SpecialType.None && named.ContainingNamespace?.ToDisplayString().StartsWith("System", System.StringComparison.Ordinal) != true)
                {
                    foreach (var property in named.GetMembers().OfType<IPropertySymbol>().Where(p => !p.IsStatic && !p.IsIndexer && p.DeclaredAccessibility == Accessibility.Public))
                    {
                        Walk(property.Type, covered);
                    }
                }

                break;
        }
    }
}

/// <summary>Reports tools whose types would fail to serialize under Native AOT.</summary>
internal static class SerializationCheck
{
    // What the SDK's own options (McpJsonUtilities.DefaultOptions) already have metadata for.
    private static readonly HashSet<string> Builtin =
    [
        "string", "bool", "byte", "sbyte", "short", "ushort", "int", "uint", "long", "ulong", "char", "float", "double", "decimal",
        "bool?", "byte?", "sbyte?", "short?", "ushort?", "int?", "uint?", "long?", "ulong?", "char?", "float?", "double?", "decimal?",
        "nint", "nuint", "nint?", "nuint?", "object",
        "global::System.Guid", "global::System.Guid?", "global::System.Uri", "global::System.Version",
        "global::System.TimeSpan", "global::System.TimeSpan?", "global::System.DateTime", "global::System.DateTime?",
        "global::System.DateTimeOffset", "global::System.DateTimeOffset?", "global::System.DateOnly", "global::System.DateOnly?",
        "global::System.TimeOnly", "global::System.TimeOnly?", "global::System.Text.Json.JsonElement", "global::System.Text.Json.JsonElement?",
    ];

    public static void Report(SourceProductionContext output, IReadOnlyList<ToolDescription> tools, ImmutableArray<SerializerContext> contexts)
    {
        var covered = new HashSet<string>(contexts.SelectMany(c => c.Covered));
        var fix = contexts.Length > 0 ? contexts[0].Name : "a JsonSerializerContext of this project (and pass its options to WithMcpAspireTools)";
        foreach (var tool in tools)
        {
            foreach (var use in tool.DataTypes)
            {
                if (!Builtin.Contains(use.Key) && !covered.Contains(use.Key) &&
                    !use.Key.StartsWith("global::ModelContextProtocol.", System.StringComparison.Ordinal) &&
                    !use.Key.StartsWith("global::Microsoft.Extensions.AI.", System.StringComparison.Ordinal) &&
                    !use.Key.StartsWith("global::System.Text.Json.Nodes.", System.StringComparison.Ordinal))
                {
                    output.ReportDiagnostic(Diagnostic.Create(Diagnostics.NotSerializable, tool.Location, tool.MethodName, use.Role, use.Display, fix));
                }
            }

            if (contexts.FirstOrDefault(c => c.OmitsNulls) is { } omitting)
            {
                foreach (var member in tool.NullableMembers)
                {
                    var dot = member.IndexOf('.');
                    output.ReportDiagnostic(Diagnostic.Create(Diagnostics.NullsOmitted, tool.Location, tool.MethodName, member.Substring(0, dot), member.Substring(dot + 1), omitting.Name));
                }
            }
        }
    }
}
