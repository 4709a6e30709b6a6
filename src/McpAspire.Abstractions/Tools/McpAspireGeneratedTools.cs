using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace McpAspire.Abstractions;

/// <summary>
/// Where the tools McpAspire.Generators described at build time are registered, by generated code when their assembly
/// loads, and what that code calls to bind a tool's parameters as the SDK does. Read by <c>WithMcpAspireTools&lt;T&gt;()</c>;
/// not for hand-written code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class McpAspireGeneratedTools
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<Type, List<GeneratedTool>> Tools = [];

    /// <summary>Registers one <c>[McpServerTool]</c> method of <paramref name="toolType"/>.</summary>
    /// <param name="toolType">The type declaring the method.</param>
    /// <param name="method">Finds the method.</param>
    /// <param name="toolJson">The MCP tool the SDK would build for it, as JSON; null when the SDK builds it at start.</param>
    /// <param name="derivedName">Without an explicit name, the name to apply the SDK's snake_case naming policy to.</param>
    /// <param name="invoke">Calls the method with its arguments bound; null when the SDK builds the tool at start.</param>
    public static void Add(
        Type toolType,
        Func<MethodInfo> method,
        string? toolJson,
        string? derivedName,
        Func<AIFunctionArguments, JsonSerializerOptions, CancellationToken, ValueTask<object?>>? invoke)
    {
        ArgumentNullException.ThrowIfNull(toolType);
        ArgumentNullException.ThrowIfNull(method);
        lock (Gate)
        {
            if (!Tools.TryGetValue(toolType, out var tools))
            {
                Tools[toolType] = tools = [];
            }

            tools.Add(new GeneratedTool(method, toolJson is null || invoke is null ? null : new(toolJson, derivedName, invoke)));
        }
    }

    /// <summary>
    /// The argument named <paramref name="name"/>, as Microsoft.Extensions.AI binds it: as given when already a
    /// <typeparamref name="T"/>, else deserialized with <paramref name="json"/>; a missing one is an error.
    /// </summary>
    /// <typeparam name="T">The parameter's type.</typeparam>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The parameter's name.</param>
    /// <param name="json">The tool's serializer options.</param>
    /// <returns>The bound value.</returns>
    public static T Argument<T>(AIFunctionArguments arguments, string name, JsonSerializerOptions json)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.TryGetValue(name, out var value)
            ? Convert<T>(value, json)
            : throw new ArgumentException($"The arguments dictionary is missing a value for the required parameter '{name}'.", nameof(arguments));
    }

    /// <summary>The optional argument named <paramref name="name"/>, or <paramref name="defaultValue"/> when the call has none.</summary>
    /// <typeparam name="T">The parameter's type.</typeparam>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The parameter's name.</param>
    /// <param name="json">The tool's serializer options.</param>
    /// <param name="defaultValue">The parameter's default value.</param>
    /// <returns>The bound value.</returns>
    public static T Argument<T>(AIFunctionArguments arguments, string name, JsonSerializerOptions json, T defaultValue)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.TryGetValue(name, out var value) ? Convert<T>(value, json) : defaultValue;
    }

    /// <summary>
    /// A parameter the SDK binds from the request (the request context, the server, progress, the user) or from the
    /// services; a missing one is an error unless the parameter is optional.
    /// </summary>
    /// <typeparam name="T">The parameter's type.</typeparam>
    /// <param name="arguments">The call's arguments, whose services are the SDK's per-request provider.</param>
    /// <param name="optional">Whether the parameter has a default value.</param>
    /// <returns>The bound value.</returns>
    public static T Service<T>(AIFunctionArguments arguments, bool optional)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (typeof(T) == typeof(IServiceProvider))
        {
            return arguments.Services is T services || optional
                ? (T)(object?)arguments.Services!
                : throw new ArgumentException("No service of the requested type was found.", nameof(arguments));
        }

        return arguments.Services?.GetService(typeof(T)) is T service
            ? service
            : optional ? default! : throw new ArgumentException("No service of the requested type was found.", nameof(arguments));
    }

    /// <summary>The instance an instance tool method is called on: made per call from the request's services, as the SDK does.</summary>
    /// <typeparam name="T">The tool type.</typeparam>
    /// <param name="arguments">The call's arguments.</param>
    /// <returns>A new instance.</returns>
    public static T Target<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(AIFunctionArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.Services is { } services ? ActivatorUtilities.CreateInstance<T>(services) : Activator.CreateInstance<T>();
    }

    internal static IReadOnlyList<GeneratedTool>? For(Type toolType)
    {
        lock (Gate)
        {
            return Tools.TryGetValue(toolType, out var tools) ? [.. tools] : null;
        }
    }

    private static T Convert<T>(object? value, JsonSerializerOptions json) => value switch
    {
        null => default!,
        T typed => typed,
        JsonElement element => element.Deserialize(TypeInfo<T>(json))!,
        JsonDocument document => document.Deserialize(TypeInfo<T>(json))!,
        JsonNode node => node.Deserialize(TypeInfo<T>(json))!,
        _ => JsonSerializer.SerializeToElement(value, json.GetTypeInfo(value.GetType())).Deserialize(TypeInfo<T>(json))!,
    };

    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions json) =>
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)json.GetTypeInfo(typeof(T));
}

/// <summary>One tool method as registered by generated code; <see cref="Described"/> is null when the SDK builds it.</summary>
internal sealed record GeneratedTool(Func<MethodInfo> Method, GeneratedDescription? Described);

/// <summary>A tool's build-time description and its generated invoker.</summary>
internal sealed record GeneratedDescription(
    string ToolJson,
    string? DerivedName,
    Func<AIFunctionArguments, JsonSerializerOptions, CancellationToken, ValueTask<object?>> Invoke);
