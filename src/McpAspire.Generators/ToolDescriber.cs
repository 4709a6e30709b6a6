using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace McpAspire.Generators;

/// <summary>The MCP primitives a method can declare, each with its attribute.</summary>
internal enum PrimitiveKind
{
    Tool,
    Prompt,
    Resource,
}

/// <summary>One <c>[McpServerTool]</c>, <c>[McpServerPrompt]</c> or <c>[McpServerResource]</c> method as the generator found it.</summary>
/// <param name="Kind">Which primitive it declares.</param>
/// <param name="TypeName">The declaring type, fully qualified for <c>typeof</c>.</param>
/// <param name="MethodName">The method's name.</param>
/// <param name="ParameterTypes">The parameter types as <c>typeof</c> expressions, to find the method by its signature.</param>
/// <param name="ToolJson">What the SDK would build from the method (name, title, description, input and output schemas, annotations, URI template, MIME type), as JSON; null when it is built at run time (see <paramref name="RuntimeReason"/>).</param>
/// <param name="DerivedName">Without an explicit name, the method name the SDK derives the tool's name from (snake_case at run time).</param>
/// <param name="Invoker">A lambda calling the method with its parameters bound as the SDK binds them; null with <paramref name="ToolJson"/>.</param>
/// <param name="RuntimeReason">Why the tool is not described at build time.</param>
/// <param name="DataTypes">Every type the tool takes as an argument or returns: each must be serializable under Native AOT.</param>
/// <param name="NullableMembers">For a structured result, its members that can be null ("Type.Member").</param>
/// <param name="Location">Where diagnostics about the tool point.</param>
internal sealed record ToolDescription(
    PrimitiveKind Kind,
    string TypeName,
    string MethodName,
    string ParameterTypes,
    string? ToolJson,
    string? DerivedName,
    string? Invoker,
    string? RuntimeReason,
    EquatableArray<TypeUse> DataTypes,
    EquatableArray<string> NullableMembers,
    Location? Location);

/// <param name="Key">The type, fully qualified, as serializer contexts are matched.</param>
/// <param name="Display">The type as the diagnostic shows it.</param>
/// <param name="Role">"returns" or "takes parameter 'x' of type".</param>
internal sealed record TypeUse(string Key, string Display, string Role);

internal static class ToolDescriber
{
    private static readonly Dictionary<PrimitiveKind, HashSet<string>> KnownAttributeArguments = new()
    {
        [PrimitiveKind.Tool] = ["Name", "Title", "Destructive", "Idempotent", "OpenWorld", "ReadOnly", "UseStructuredContent"],
        [PrimitiveKind.Prompt] = ["Name", "Title"],
        [PrimitiveKind.Resource] = ["Name", "Title", "UriTemplate", "MimeType"],
    };

    private static readonly Regex NotLetterOrDigit = new("[^A-Za-z0-9]", RegexOptions.CultureInvariant);

    public static ToolDescription? Describe(IMethodSymbol method, AttributeData attribute, PrimitiveKind kind)
    {
        // Generic tool methods are served by no one (the SDK cannot bind them); ref parameters cannot be found by signature
        // here; a type the generated code cannot name is left to the SDK whole.
        if (method.IsGenericMethod || method.ContainingType.IsGenericType || method.Parameters.Any(p => p.RefKind != RefKind.None) ||
            !VisibleInAssembly(method.ContainingType))
        {
            return null;
        }

        var writer = new JsonSchemaWriter();
        string? reason = null;
        var uses = new List<TypeUse>();

        var arguments = attribute.NamedArguments.ToDictionary(a => a.Key, a => a.Value.Value);
        if (arguments.Keys.FirstOrDefault(k => !KnownAttributeArguments[kind].Contains(k)) is { } unknown)
        {
            reason = $"[{attribute.AttributeClass?.Name}] sets '{unknown}'";
        }

        string? description = null;
        foreach (var methodAttribute in method.GetAttributes())
        {
            var name = methodAttribute.AttributeClass?.ToDisplayString();
            if (name == "System.ComponentModel.DescriptionAttribute")
            {
                description = methodAttribute.ConstructorArguments.FirstOrDefault().Value as string;
            }
            else if (!SymbolEqualityComparer.Default.Equals(methodAttribute.AttributeClass, attribute.AttributeClass) &&
                     name?.StartsWith("ModelContextProtocol.", System.StringComparison.Ordinal) == true)
            {
                reason ??= $"it has attribute '{methodAttribute.AttributeClass!.Name}'";
            }
        }

        if (method.GetReturnTypeAttributes().Length > 0)
        {
            reason ??= "its return value has attributes";
        }

        var properties = new List<string>();
        var required = new List<string>();
        var callArguments = new List<string>();
        foreach (var parameter in method.Parameters)
        {
            var parameterType = parameter.Type.ToDisplayString(WithNullability);
            if (IsBoundByTheSdk(parameter))
            {
                if (parameter.GetAttributes().Any(a => a.AttributeClass?.Name == "FromKeyedServicesAttribute"))
                {
                    reason ??= $"parameter '{parameter.Name}' is a keyed service";
                }

                callArguments.Add(parameterType switch
                {
                    "global::System.Threading.CancellationToken" => "cancellationToken",
                    "global::Microsoft.Extensions.AI.AIFunctionArguments" => "arguments",
                    _ => $"{Registry}.Service<{parameterType}>(arguments, {(parameter.HasExplicitDefaultValue ? "true" : "false")})",
                });
                continue;
            }

            string? parameterDescription = null;
            foreach (var parameterAttribute in parameter.GetAttributes())
            {
                if (parameterAttribute.AttributeClass?.ToDisplayString() == "System.ComponentModel.DescriptionAttribute")
                {
                    parameterDescription = parameterAttribute.ConstructorArguments.FirstOrDefault().Value as string;
                }
                else
                {
                    reason ??= $"parameter '{parameter.Name}' has attribute '{parameterAttribute.AttributeClass?.Name}'";
                }
            }

            if (kind == PrimitiveKind.Resource && parameter.Type.SpecialType != SpecialType.System_String)
            {
                // A URI template's values arrive as text; the SDK parses any other type by a JSON round trip not written here.
                reason ??= $"parameter '{parameter.Name}' of a resource is not a string";
            }

            uses.Add(Use(parameter.Type, $"takes parameter '{parameter.Name}' of type"));
            string? defaultJson = null;
            var defaultLiteral = parameter.HasExplicitDefaultValue
                ? ", " + (parameter.ExplicitDefaultValue is null ? "default!" : SymbolDisplay.FormatPrimitive(parameter.ExplicitDefaultValue, quoteStrings: true, useHexadecimalNumbers: false))
                : "";
            callArguments.Add($"{Registry}.Argument<{parameterType}>(arguments, {Json.String(parameter.Name)}, json{defaultLiteral})");
            if (parameter.HasExplicitDefaultValue)
            {
                defaultJson = JsonSchemaWriter.DefaultValue(parameter);
                if (defaultJson is null)
                {
                    reason ??= $"the default value of parameter '{parameter.Name}' is not a string, boolean, integer or null";
                }
            }
            else
            {
                required.Add(Json.String(parameter.Name));
            }

            var schema = writer.Write(parameter.Type, parameter.NullableAnnotation, parameterDescription, defaultJson);
            reason ??= writer.Unsupported;
            properties.Add($"{Json.String(parameter.Name)}:{schema}");
        }

        var (returned, returnAnnotation) = Unwrap(method.ReturnType, method.ReturnNullableAnnotation);
        if (returned is not null && kind == PrimitiveKind.Tool)
        {
            // Prompts and resources return the SDK's own types (messages, resource contents), which it serializes.
            uses.Add(Use(returned, "returns"));
        }

        string? outputSchema = null;
        var nullableMembers = new List<string>();
        if (arguments.TryGetValue("UseStructuredContent", out var structured) && structured is true)
        {
            if (returned is INamedTypeSymbol { IsRecord: true } record && returnAnnotation == NullableAnnotation.NotAnnotated)
            {
                outputSchema = writer.Write(record, returnAnnotation, null, null);
                reason ??= writer.Unsupported;
                CollectNullableMembers(record, nullableMembers, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default));
            }
            else
            {
                // Clients before 2026-07-28 get such a schema reshaped, which the SDK does only for the tools it builds.
                reason ??= "its structured content is not a non-null record";
            }
        }

        if (!method.IsStatic && method.ContainingType.AllInterfaces.Any(i => i.ToDisplayString() is "System.IDisposable" or "System.IAsyncDisposable"))
        {
            reason ??= "its type is disposable (the SDK disposes the instance after each call)";
        }

        if (method.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
        {
            reason ??= "the method is private or protected, so generated code cannot call it";
        }

        if (!method.IsStatic && method.ContainingType.IsAbstract)
        {
            reason ??= "its type is abstract";
        }

        var derivedName = arguments.TryGetValue("Name", out var explicitName) && explicitName is string ? null : DeriveName(method);
        string? toolJson = null;
        string? invoker = null;
        if (reason is null)
        {
            invoker = Invoker(method, returned, callArguments);
            var tool = new List<string>
            {
                $"\"name\":{Json.String(explicitName as string ?? "")}",
            };

            foreach (var (argument, member) in new[] { ("UriTemplate", "uriTemplate"), ("MimeType", "mimeType") })
            {
                if (arguments.TryGetValue(argument, out var value) && value is string text)
                {
                    tool.Add($"\"{member}\":{Json.String(text)}");
                }
            }

            var title = arguments.TryGetValue("Title", out var t) ? t as string : null;
            var hints = new List<string>();
            if (title is not null)
            {
                tool.Add($"\"title\":{Json.String(title)}");
                hints.Add($"\"title\":{Json.String(title)}");
            }

            foreach (var (argument, hint) in new[] { ("Destructive", "destructiveHint"), ("Idempotent", "idempotentHint"), ("OpenWorld", "openWorldHint"), ("ReadOnly", "readOnlyHint") })
            {
                if (arguments.TryGetValue(argument, out var value) && value is bool flag)
                {
                    hints.Add($"\"{hint}\":{(flag ? "true" : "false")}");
                }
            }

            if (description is not null)
            {
                tool.Add($"\"description\":{Json.String(description)}");
            }

            var input = new StringBuilder("{\"type\":\"object\",\"properties\":{").Append(string.Join(",", properties)).Append('}');
            if (required.Count > 0)
            {
                input.Append(",\"required\":[").Append(string.Join(",", required)).Append(']');
            }

            tool.Add($"\"inputSchema\":{input.Append('}')}");
            if (outputSchema is not null)
            {
                tool.Add($"\"outputSchema\":{outputSchema}");
            }

            if (hints.Count > 0)
            {
                tool.Add("\"annotations\":{" + string.Join(",", hints) + "}");
            }

            toolJson = "{" + string.Join(",", tool) + "}";
        }

        return new ToolDescription(
            kind,
            method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            method.Name,
            string.Join(", ", method.Parameters.Select(p => $"typeof({p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)})")),
            toolJson,
            derivedName,
            invoker,
            reason,
            new EquatableArray<TypeUse>([.. uses]),
            new EquatableArray<string>([.. nullableMembers]),
            method.Locations.FirstOrDefault());
    }

    private const string Registry = "global::" + ToolDescriptionGenerator.RegistryType;

    /// <summary>A type as a type argument in generated code, nullable annotations included (they must match the method's).</summary>
    private static readonly SymbolDisplayFormat WithNullability = SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(
        SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>
    /// The generated call: <c>(arguments, json, cancellationToken) =&gt; …</c> returning the method's result (awaited)
    /// as the SDK's reflection-based function does, null for none.
    /// </summary>
    private static string Invoker(IMethodSymbol method, ITypeSymbol? returned, List<string> callArguments)
    {
        var typeName = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var target = method.IsStatic ? typeName : $"{Registry}.Target<{typeName}>(arguments)";
        var call = $"{target}.{method.Name}({string.Join(", ", callArguments)})";
        var awaited = method.ReturnType.OriginalDefinition.ToDisplayString() is
            "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask" or
            "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>";
        const string Parameters = "static (arguments, json, cancellationToken) =>";
        const string AsyncParameters = "static async (arguments, json, cancellationToken) =>";
        return (awaited, returned is null) switch
        {
            (true, false) => $"{AsyncParameters} (object?)await {call}",
            (true, true) => $"{AsyncParameters} {{ await {call}; return null; }}",
            (false, false) => $"{Parameters} new global::System.Threading.Tasks.ValueTask<object?>({call})",
            (false, true) => $"{Parameters} {{ {call}; return new global::System.Threading.Tasks.ValueTask<object?>((object?)null); }}",
        };
    }

    private static bool VisibleInAssembly(INamedTypeSymbol? type)
    {
        for (; type is not null; type = type.ContainingType)
        {
            if (type.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }

        return true;
    }

    private static TypeUse Use(ITypeSymbol type, string role) =>
        new(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), role);

    /// <summary>
    /// Whether the SDK binds the parameter itself, leaving it out of the input schema: the request's own objects, a
    /// keyed service, or a service type (an interface other than a collection, or an abstract class).
    /// </summary>
    private static bool IsBoundByTheSdk(IParameterSymbol parameter)
    {
        var type = parameter.Type;
        var name = type.OriginalDefinition.ToDisplayString();
        if (name is "System.Threading.CancellationToken" or "System.IServiceProvider" or "ModelContextProtocol.Server.McpServer"
            or "ModelContextProtocol.Server.RequestContext<TParams>" or "System.Security.Claims.ClaimsPrincipal"
            or "Microsoft.Extensions.AI.AIFunctionArguments"
            || type.ToDisplayString() == "System.IProgress<ModelContextProtocol.ProgressNotificationValue>")
        {
            return true;
        }

        if (parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is
                "Microsoft.Extensions.DependencyInjection.FromKeyedServicesAttribute" or "Microsoft.AspNetCore.Mvc.FromServicesAttribute"))
        {
            return true;
        }

        return (type.TypeKind == TypeKind.Interface && JsonSchemaWriter.ElementType(type) is null) ||
               (type.TypeKind == TypeKind.Class && type.IsAbstract);
    }

    private static (ITypeSymbol? Type, NullableAnnotation Annotation) Unwrap(ITypeSymbol type, NullableAnnotation annotation)
    {
        if (type.SpecialType == SpecialType.System_Void)
        {
            return (null, annotation);
        }

        if (type is INamedTypeSymbol named && named.OriginalDefinition.ToDisplayString() is
                "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask")
        {
            return (null, annotation);
        }

        if (type is INamedTypeSymbol { TypeArguments.Length: 1 } generic && generic.OriginalDefinition.ToDisplayString() is
                "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>")
        {
            return (generic.TypeArguments[0], generic.TypeArgumentNullableAnnotations[0]);
        }

        return (type, annotation);
    }

    private static void CollectNullableMembers(ITypeSymbol type, List<string> found, HashSet<ITypeSymbol> seen)
    {
        if (JsonSchemaWriter.ElementType(type) is { } element)
        {
            CollectNullableMembers(element.Type, found, seen);
            return;
        }

        if (type is not INamedTypeSymbol { IsRecord: true } record || !seen.Add(record))
        {
            return;
        }

        foreach (var property in record.GetMembers().OfType<IPropertySymbol>().Where(p => !p.IsStatic && p.DeclaredAccessibility == Accessibility.Public))
        {
            var nullable = property.NullableAnnotation == NullableAnnotation.Annotated ||
                           property.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
            var writtenWhenNull = property.GetAttributes().Any(a =>
                a.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonIgnoreAttribute" &&
                a.NamedArguments.Any(n => n.Key == "Condition" && n.Value.Value is 0));
            if (nullable && !writtenWhenNull)
            {
                found.Add($"{record.Name}.{property.Name}");
            }

            CollectNullableMembers(property.Type, found, seen);
        }
    }

    /// <summary>The SDK's derivation of a tool name from its method, before its snake_case naming policy (applied at run time).</summary>
    private static string DeriveName(IMethodSymbol method)
    {
        var name = method.Name;
        var returnType = method.ReturnType.OriginalDefinition.ToDisplayString();
        var isAsync = returnType is "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask" or
            "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>" or
            "System.Collections.Generic.IAsyncEnumerable<T>";
        if (isAsync && name.EndsWith("Async", System.StringComparison.Ordinal) && name.Length > "Async".Length)
        {
            name = name.Substring(0, name.Length - "Async".Length);
        }

        name = NotLetterOrDigit.Replace(name, "_").Trim('_');
        return name.Length == 0 ? method.Name : name;
    }
}
