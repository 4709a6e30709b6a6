using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace McpAspire.Generators;

/// <summary>
/// Writes the JSON schema the MCP SDK would build at run time (through Microsoft.Extensions.AI's
/// <c>AIJsonUtilities</c> with the SDK's serializer options) for the shapes it knows: strings, booleans, integers,
/// numbers, dates, GUIDs, URIs, lists of these and records of these, each nullable or not. For anything else it
/// answers null and says why in <see cref="Unsupported"/>; the tool is then described at run time, as before.
/// McpAspire.Tools.Tests compares every shape against the SDK's own output.
/// </summary>
internal sealed class JsonSchemaWriter
{
    private readonly HashSet<ITypeSymbol> _open = new(SymbolEqualityComparer.Default);

    public string? Unsupported { get; private set; }

    /// <summary>The schema of a value of <paramref name="type"/>, or null when it is not a shape this writer knows.</summary>
    public string? Write(ITypeSymbol type, NullableAnnotation annotation, string? description, string? defaultJson)
    {
        var members = new List<string>();
        if (description is not null)
        {
            members.Add($"\"description\":{Json.String(description)}");
        }

        if (!WriteTypeMembers(type, annotation, members))
        {
            return null;
        }

        if (defaultJson is not null)
        {
            members.Add($"\"default\":{defaultJson}");
        }

        return "{" + string.Join(",", members) + "}";
    }

    private bool WriteTypeMembers(ITypeSymbol type, NullableAnnotation annotation, List<string> members)
    {
        var nullable = false;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapper)
        {
            type = wrapper.TypeArguments[0];
            nullable = true;
        }
        else if (type.IsReferenceType)
        {
            if (annotation == NullableAnnotation.None)
            {
                return Fail($"'{type.ToDisplayString()}' is used where nullable reference types are disabled");
            }

            nullable = annotation == NullableAnnotation.Annotated;
        }

        string TypeKeyword(string name) => nullable ? $"\"type\":[\"{name}\",\"null\"]" : $"\"type\":\"{name}\"";

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
                members.Add(TypeKeyword("string"));
                return true;
            case SpecialType.System_Boolean:
                members.Add(TypeKeyword("boolean"));
                return true;
            case SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64:
                members.Add(TypeKeyword("integer"));
                return true;
            case SpecialType.System_Single or SpecialType.System_Double:
                members.Add(TypeKeyword("number"));
                return true;
            case SpecialType.System_DateTime:
                members.Add(TypeKeyword("string"));
                members.Add("\"format\":\"date-time\"");
                return true;
        }

        switch (type.ToDisplayString())
        {
            case "System.DateTimeOffset":
                members.Add(TypeKeyword("string"));
                members.Add("\"format\":\"date-time\"");
                return true;
            case "System.Guid":
                members.Add(TypeKeyword("string"));
                members.Add("\"format\":\"uuid\"");
                return true;
            case "System.Uri":
                members.Add(TypeKeyword("string"));
                members.Add("\"format\":\"uri\"");
                return true;
        }

        if (ElementType(type) is { } element)
        {
            members.Add(TypeKeyword("array"));
            // The serializer cannot see a type argument's nullable annotation: a list's reference-type items are non-null.
            var items = Write(element.Type, NullableAnnotation.NotAnnotated, null, null);
            if (items is null)
            {
                return false;
            }

            members.Add($"\"items\":{items}");
            return true;
        }

        if (type is INamedTypeSymbol { IsRecord: true, TypeKind: TypeKind.Class, IsGenericType: false, IsAbstract: false } record)
        {
            if (nullable)
            {
                // The SDK's schema of a nullable record marks some of its non-null members nullable too; not reproduced here.
                return Fail($"'{type.ToDisplayString()}?' is a nullable record");
            }

            members.Add(TypeKeyword("object"));
            return WriteRecordMembers(record, members);
        }

        return Fail($"'{type.ToDisplayString()}' is not a shape described at build time (string, boolean, number, date, GUID, URI, list or record)");
    }

    private bool WriteRecordMembers(INamedTypeSymbol record, List<string> members)
    {
        if (record.BaseType?.SpecialType != SpecialType.System_Object)
        {
            return Fail($"record '{record.ToDisplayString()}' derives from another record");
        }

        if (!_open.Add(record))
        {
            return Fail($"record '{record.ToDisplayString()}' contains itself");
        }

        // A description or validation attribute on a primary constructor's parameter reaches the schema through the
        // serializer's metadata.
        if (record.InstanceConstructors.Any(c => c.Parameters.Any(p => p.GetAttributes().Any(a =>
                a.AttributeClass?.ContainingNamespace?.ToDisplayString().StartsWith("System.ComponentModel", StringComparison.Ordinal) == true))))
        {
            return Fail($"a constructor parameter of record '{record.ToDisplayString()}' has a description or validation attribute");
        }

        var properties = new List<string>();
        var names = new List<string>();
        foreach (var property in record.GetMembers().OfType<IPropertySymbol>())
        {
            if (property.IsStatic || property.IsIndexer || property.DeclaredAccessibility != Accessibility.Public ||
                property.GetMethod is not { DeclaredAccessibility: Accessibility.Public })
            {
                continue;
            }

            var name = CamelCase(property.Name);
            string? description = null;
            var ignored = false;
            foreach (var attribute in property.GetAttributes())
            {
                switch (attribute.AttributeClass?.ToDisplayString())
                {
                    case "System.ComponentModel.DescriptionAttribute":
                        description = attribute.ConstructorArguments.FirstOrDefault().Value as string;
                        break;
                    case "System.Text.Json.Serialization.JsonPropertyNameAttribute":
                        name = attribute.ConstructorArguments.FirstOrDefault().Value as string ?? name;
                        break;
                    case "System.Text.Json.Serialization.JsonIgnoreAttribute":
                        // Without a condition, or with Always (1), the member is not serialized at all.
                        var condition = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Condition").Value.Value;
                        ignored = condition is null or 1;
                        break;
                    case var compilerAdded when compilerAdded?.StartsWith("System.Runtime.CompilerServices.", StringComparison.Ordinal) == true:
                        // Nullable annotations and the like, as a referenced assembly's metadata carries them.
                        break;
                    default:
                        return Fail($"member '{property.Name}' of record '{record.ToDisplayString()}' has attribute '{attribute.AttributeClass?.Name}'");
                }
            }

            if (ignored)
            {
                continue;
            }

            var schema = Write(property.Type, property.NullableAnnotation, description, null);
            if (schema is null)
            {
                return false;
            }

            properties.Add($"{Json.String(name)}:{schema}");
            names.Add(Json.String(name));
        }

        _open.Remove(record);
        if (names.Count == 0)
        {
            return Fail($"record '{record.ToDisplayString()}' has no public properties");
        }

        // The SDK asks for every property to be required (AIJsonSchemaCreateOptions.RequireAllProperties).
        members.Add("\"properties\":{" + string.Join(",", properties) + "}");
        members.Add("\"required\":[" + string.Join(",", names) + "]");
        return true;
    }

    /// <summary>The element of a list the serializer writes as a JSON array; null for any other type.</summary>
    internal static (ITypeSymbol Type, NullableAnnotation Annotation)? ElementType(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol { Rank: 1 } array && array.ElementType.SpecialType != SpecialType.System_Byte)
        {
            return (array.ElementType, array.ElementNullableAnnotation);
        }

        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named &&
            named.OriginalDefinition.ToDisplayString() is
                "System.Collections.Generic.List<T>" or "System.Collections.Generic.IList<T>" or
                "System.Collections.Generic.IReadOnlyList<T>" or "System.Collections.Generic.IEnumerable<T>" or
                "System.Collections.Generic.ICollection<T>" or "System.Collections.Generic.IReadOnlyCollection<T>")
        {
            return (named.TypeArguments[0], named.TypeArgumentNullableAnnotations[0]);
        }

        return null;
    }

    /// <summary>System.Text.Json's camel-case naming policy (<c>JsonNamingPolicy.CamelCase</c>), which the SDK's options use.</summary>
    internal static string CamelCase(string name)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            return name;
        }

        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }

            var hasNext = i + 1 < chars.Length;
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                if (chars[i + 1] == ' ')
                {
                    chars[i] = char.ToLowerInvariant(chars[i]);
                }

                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }

    /// <summary>A parameter's default value as JSON, or null when it is not one written here (the tool is then described at run time).</summary>
    internal static string? DefaultValue(IParameterSymbol parameter) => parameter.ExplicitDefaultValue switch
    {
        null => "null",
        string text => Json.String(text),
        bool flag => flag ? "true" : "false",
        int or long or short or byte or sbyte or uint or ulong or ushort => Convert.ToString(parameter.ExplicitDefaultValue, CultureInfo.InvariantCulture),
        _ => null,
    };

    private bool Fail(string reason)
    {
        Unsupported ??= reason;
        return false;
    }
}

/// <summary>JSON text for the generated descriptions.</summary>
internal static class Json
{
    public static string String(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }
}
