using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using McpAspire.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds a tool set's tools to an MCP server.</summary>
public static class McpAspireToolsExtensions
{
    /// <summary>
    /// Adds every <c>[McpServerTool]</c> method of <typeparamref name="TToolType"/>, as the SDK's <c>WithTools&lt;T&gt;</c>
    /// does. When the project declaring the type references McpAspire.Generators, each tool the generator described is
    /// the SDK's tool made from that build-time description and generated binding code, so the server builds no JSON
    /// schema when it starts and calls the method without reflection; the others (and every tool without the
    /// generator) are built by the SDK at start.
    /// </summary>
    /// <typeparam name="TToolType">The type declaring the tools; an instance is made per call for instance methods.</typeparam>
    /// <param name="builder">The MCP server being configured.</param>
    /// <param name="serializerOptions">Serializer options for the tools' arguments and results (with the tool set's JSON context).</param>
    /// <returns>The same builder.</returns>
    public static IMcpServerBuilder WithMcpAspireTools<[DynamicallyAccessedMembers(
        DynamicallyAccessedMemberTypes.PublicMethods |
        DynamicallyAccessedMemberTypes.NonPublicMethods |
        DynamicallyAccessedMemberTypes.PublicConstructors)] TToolType>(
        this IMcpServerBuilder builder,
        JsonSerializerOptions? serializerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // The generated registrations run in the declaring assembly's module initializer.
        RuntimeHelpers.RunModuleConstructor(typeof(TToolType).Module.ModuleHandle);
        if (McpAspireGeneratedTools.For(typeof(TToolType)) is not { } generated)
        {
            return builder.WithTools<TToolType>(serializerOptions);
        }

        // Options that refuse unknown members make the SDK's binding check every argument's name; that is not generated.
        var bindsLikeTheSdk = serializerOptions?.UnmappedMemberHandling is not System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
        foreach (var tool in generated)
        {
            builder.Services.AddSingleton(services =>
            {
                var method = tool.Method();
                if (tool.Described is { } described && bindsLikeTheSdk)
                {
                    return GeneratedAIFunction.CreateTool(described, method, services, serializerOptions);
                }

                return method.IsStatic
                    ? McpServerTool.Create(method, options: new() { Services = services, SerializerOptions = serializerOptions })
                    : McpServerTool.Create(
                        method,
                        static request => request.Services is { } requestServices
                            ? ActivatorUtilities.CreateInstance<TToolType>(requestServices)!
                            : Activator.CreateInstance<TToolType>()!,
                        new() { Services = services, SerializerOptions = serializerOptions });
            });
        }

        return builder;
    }
}
