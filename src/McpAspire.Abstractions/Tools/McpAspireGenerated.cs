using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace McpAspire.Abstractions;

/// <summary>
/// Where the tools, prompts and resources McpAspire.Generators described at build time are registered, by generated
/// code when their assembly loads, and what that code calls to bind their parameters as the SDK does. Read by
/// <c>WithMcpAspireTools&lt;T&gt;()</c>, <c>WithMcpAspirePrompts&lt;T&gt;()</c> and <c>WithMcpAspireResources&lt;T&gt;()</c>;
/// not for hand-written code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class McpAspireGenerated
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<(GeneratedKind, Type), List<GeneratedMethod>> Registered = [];

    /// <summary>Registers one <c>[McpServerTool]</c> method of <paramref name="type"/>.</summary>
    /// <param name="type">The type declaring the method.</param>
    /// <param name="method">Finds the method.</param>
    /// <param name="json">What the SDK would build for it, as JSON; null when the SDK builds it at start.</param>
    /// <param name="derivedName">Without an explicit name, the name to apply the SDK's snake_case naming policy to.</param>
    /// <param name="invoke">Calls the method with its arguments bound; null when the SDK builds it at start.</param>
    public static void AddTool(Type type, Func<MethodInfo> method, string? json, string? derivedName, Func<AIFunctionArguments, JsonSerializerOptions, CancellationToken, ValueTask<object?>>? invoke) =>
        Add(GeneratedKind.Tool, type, method, json, derivedName, invoke);

    /// <summary>Registers one <c>[McpServerPrompt]</c> method of <paramref name="type"/>.</summary>
    /// <param name="type">The type declaring the method.</param>
    /// <param name="method">Finds the method.</param>
    /// <param name="json">What the SDK would build for it, as JSON; null when the SDK builds it at start.</param>
    /// <param name="derivedName">Without an explicit name, the name to apply the SDK's snake_case naming policy to.</param>
    /// <param name="invoke">Calls the method with its arguments bound; null when the SDK builds it at start.</param>
    public static void AddPrompt(Type type, Func<MethodInfo> method, string? json, string? derivedName, Func<AIFunctionArguments, JsonSerializerOptions, CancellationToken, ValueTask<object?>>? invoke) =>
        Add(GeneratedKind.Prompt, type, method, json, derivedName, invoke);

    /// <summary>Registers one <c>[McpServerResource]</c> method of <paramref name="type"/>.</summary>
    /// <param name="type">The type declaring the method.</param>
    /// <param name="method">Finds the method.</param>
    /// <param name="json">What the SDK would build for it, as JSON; null when the SDK builds it at start.</param>
    /// <param name="derivedName">Without an explicit name, the name to apply the SDK's snake_case naming policy to.</param>
    /// <param name="invoke">Calls the method with its arguments bound; null when the SDK builds it at start.</param>
    public static void AddResource(Type type, Func<MethodInfo> method, string? json, string? derivedName, Func<AIFunctionArguments, JsonSerializerOptions, CancellationToken, ValueTask<object?>>? invoke) =>
        Add(GeneratedKind.Resource, type, method, json, derivedName, invoke);

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
        return Target<T>(arguments.Services);
    }

    /// <summary>A new instance of a tool type from <paramref name="services"/>, as the SDK's <c>WithTools&lt;T&gt;</c> makes one.</summary>
    internal static T Target<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(IServiceProvider? services) =>
        services is not null ? ActivatorUtilities.CreateInstance<T>(services) : Activator.CreateInstance<T>();

    internal static IReadOnlyList<GeneratedMethod>? For(GeneratedKind kind, Type type)
    {
        lock (Gate)
        {
            return Registered.TryGetValue((kind, type), out var found) ? [.. found] : null;
        }
    }

    private static void Add(
        GeneratedKind kind,
        Type type,
        Func<MethodInfo> method,
        string? json,
        string? derivedName,
        Func<AIFunctionArguments, JsonSerializerOptions, CancellationToken, ValueTask<object?>>? invoke)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(method);
        lock (Gate)
        {
            if (!Registered.TryGetValue((kind, type), out var found))
            {
                Registered[(kind, type)] = found = [];
            }

            found.Add(new GeneratedMethod(method, json is null || invoke is null ? null : new(json, derivedName, invoke)));
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

internal enum GeneratedKind
{
    Tool,
    Prompt,
    Resource,
}

/// <summary>One method as registered by generated code; <see cref="Described"/> is null when the SDK builds it.</summary>
internal sealed record GeneratedMethod(Func<MethodInfo> Method, GeneratedDescription? Described);

/// <summary>A method's build-time description and its generated invoker.</summary>
internal sealed record GeneratedDescription(
    string Json,
    string? DerivedName,
    Func<AIFunctionArguments, JsonSerializerOptions, CancellationToken, ValueTask<object?>> Invoke);
