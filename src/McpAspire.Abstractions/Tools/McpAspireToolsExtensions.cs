using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using McpAspire.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Adds a tool set's tools, prompts and resources to an MCP server, as the SDK's <c>WithTools&lt;T&gt;</c>,
/// <c>WithPrompts&lt;T&gt;</c> and <c>WithResources&lt;T&gt;</c> do. When the project declaring the type references
/// McpAspire.Generators, each method the generator described becomes the SDK's own primitive made from that build-time
/// description and generated binding code: the server builds no JSON schema when it starts and calls the method
/// without reflection. The others (and every method without the generator) are built by the SDK at start.
/// </summary>
public static class McpAspireToolsExtensions
{
    private const DynamicallyAccessedMemberTypes ToolTypeMembers =
        DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods | DynamicallyAccessedMemberTypes.PublicConstructors;

    /// <summary>Adds every <c>[McpServerTool]</c> method of <typeparamref name="TToolType"/>.</summary>
    /// <typeparam name="TToolType">The type declaring the tools; an instance is made per call for instance methods.</typeparam>
    /// <param name="builder">The MCP server being configured.</param>
    /// <param name="serializerOptions">Serializer options for the tools' arguments and results (with the tool set's JSON context).</param>
    /// <returns>The same builder.</returns>
    public static IMcpServerBuilder WithMcpAspireTools<[DynamicallyAccessedMembers(ToolTypeMembers)] TToolType>(
        this IMcpServerBuilder builder,
        JsonSerializerOptions? serializerOptions = null) =>
        Add(
            builder,
            GeneratedKind.Tool,
            typeof(TToolType),
            serializerOptions,
            b => b.WithTools<TToolType>(serializerOptions),
            (described, method, services) => GeneratedAIFunction.Tool(described, method, services, serializerOptions),
            (method, services) => method.IsStatic
                ? McpServerTool.Create(method, options: new() { Services = services, SerializerOptions = serializerOptions })
                : McpServerTool.Create(method, static request => McpAspireGenerated.Target<TToolType>(request.Services)!, new() { Services = services, SerializerOptions = serializerOptions }));

    /// <summary>Adds every <c>[McpServerPrompt]</c> method of <typeparamref name="TPromptType"/>.</summary>
    /// <typeparam name="TPromptType">The type declaring the prompts; an instance is made per call for instance methods.</typeparam>
    /// <param name="builder">The MCP server being configured.</param>
    /// <param name="serializerOptions">Serializer options for the prompts' arguments.</param>
    /// <returns>The same builder.</returns>
    public static IMcpServerBuilder WithMcpAspirePrompts<[DynamicallyAccessedMembers(ToolTypeMembers)] TPromptType>(
        this IMcpServerBuilder builder,
        JsonSerializerOptions? serializerOptions = null) =>
        Add(
            builder,
            GeneratedKind.Prompt,
            typeof(TPromptType),
            serializerOptions,
            b => b.WithPrompts<TPromptType>(serializerOptions),
            (described, method, services) => GeneratedAIFunction.Prompt(described, method, services, serializerOptions),
            (method, services) => method.IsStatic
                ? McpServerPrompt.Create(method, options: new() { Services = services, SerializerOptions = serializerOptions })
                : McpServerPrompt.Create(method, static request => McpAspireGenerated.Target<TPromptType>(request.Services)!, new() { Services = services, SerializerOptions = serializerOptions }));

    /// <summary>Adds every <c>[McpServerResource]</c> method of <typeparamref name="TResourceType"/>.</summary>
    /// <typeparam name="TResourceType">The type declaring the resources; an instance is made per read for instance methods.</typeparam>
    /// <param name="builder">The MCP server being configured.</param>
    /// <returns>The same builder.</returns>
    public static IMcpServerBuilder WithMcpAspireResources<[DynamicallyAccessedMembers(ToolTypeMembers)] TResourceType>(this IMcpServerBuilder builder) =>
        Add(
            builder,
            GeneratedKind.Resource,
            typeof(TResourceType),
            serializerOptions: null,
            static b => b.WithResources<TResourceType>(),
            static (described, method, services) => GeneratedAIFunction.Resource(described, method, services),
            static (method, services) => method.IsStatic
                ? McpServerResource.Create(method, options: new() { Services = services })
                : McpServerResource.Create(method, static request => McpAspireGenerated.Target<TResourceType>(request.Services)!, new() { Services = services }));

    /// <summary>
    /// Registers one primitive per generated method of <paramref name="type"/>: the generated one where the generator
    /// described it, else the SDK's; or, with nothing generated for the type, the SDK's own registration.
    /// </summary>
    private static IMcpServerBuilder Add<TPrimitive>(
        IMcpServerBuilder builder,
        GeneratedKind kind,
        Type type,
        JsonSerializerOptions? serializerOptions,
        Func<IMcpServerBuilder, IMcpServerBuilder> sdkRegistration,
        Func<GeneratedDescription, MethodInfo, IServiceProvider, TPrimitive> generated,
        Func<MethodInfo, IServiceProvider, TPrimitive> sdk)
        where TPrimitive : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Generated(kind, type, serializerOptions) is not { } registered)
        {
            return sdkRegistration(builder);
        }

        foreach (var primitive in registered)
        {
            builder.Services.AddSingleton(services =>
            {
                var method = primitive.Method();
                return primitive.Described is { } described ? generated(described, method, services) : sdk(method, services);
            });
        }

        return builder;
    }

    /// <summary>
    /// The type's generated registrations (run by its assembly's module initializer); null to let the SDK build them
    /// all: none were generated, or the options refuse unknown members, which makes the SDK check every argument's name.
    /// </summary>
    private static IReadOnlyList<GeneratedMethod>? Generated(GeneratedKind kind, Type type, JsonSerializerOptions? serializerOptions)
    {
        RuntimeHelpers.RunModuleConstructor(type.Module.ModuleHandle);
        return serializerOptions?.UnmappedMemberHandling is JsonUnmappedMemberHandling.Disallow ? null : McpAspireGenerated.For(kind, type);
    }
}
