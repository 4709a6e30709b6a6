using System.Reflection;
using McpAspire.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Tests;

/// <summary>
/// The tool set is whole: every tool class in the project is served, and every type a tool returns can be serialized
/// without reflection (the Native AOT sidecar has none), each failure saying exactly what to add where.
/// </summary>
public sealed class ToolSetTests
{
    /// <summary>What the SDK turns into content itself, with no type information of ours.</summary>
    private static readonly Type[] SdkResults = [typeof(string), typeof(CallToolResult), typeof(ContentBlock), typeof(IEnumerable<ContentBlock>), typeof(void)];

    [Fact]
    public void EveryToolClass_IsServedByTheToolSet()
    {
        var builder = Host.CreateApplicationBuilder();
        McpAspireToolSet.AddTo(builder.Services.AddMcpServer().WithMcpAspireLocalFiles());
        using var services = builder.Services.BuildServiceProvider();
        var served = services.GetServices<McpServerTool>().Select(tool => tool.ProtocolTool.Name).ToHashSet(StringComparer.Ordinal);

        // The scan finds tool classes (the test assembly's own, served by nobody, is one of them).
        Assert.Contains(ToolMethods(typeof(ToolSetTests).Assembly), tool => tool.Name == "unknown_result" && !served.Contains(tool.Name));
        Assert.Equal(served.Order(StringComparer.Ordinal), ToolMethods(typeof(McpAspireToolSet).Assembly).Select(tool => tool.Name).Where(served.Contains).Order(StringComparer.Ordinal));
        var missing = ToolMethods(typeof(McpAspireToolSet).Assembly)
            .Where(tool => !served.Contains(tool.Name))
            .Select(tool => $"Tool '{tool.Name}' ({tool.Method.DeclaringType!.Name}) is not served: add .WithTools<{tool.Method.DeclaringType.Name}>(ToolsJson.Options) to McpAspireToolSet.AddTo.");
        Assert.Empty(missing);
    }

    [Fact]
    public void EveryTypeAToolReturns_IsInToolsJsonContext()
    {
        Assert.Empty(MissingFromJsonContext(typeof(McpAspireToolSet).Assembly));
    }

    [Fact]
    public void AToolReturningATypeTheContextLacks_IsNamedWithTheLineToAdd()
    {
        var missing = MissingFromJsonContext(typeof(ToolSetTests).Assembly);

        Assert.Equal(
            ["Tool 'unknown_result' (ToolWithAnUnknownResult.Get) returns UnknownResult, which ToolsJsonContext does not know: add [JsonSerializable(typeof(UnknownResult))] to ToolsJsonContext (the Native AOT sidecar cannot serialize it by reflection)."],
            missing);
    }

    private static IEnumerable<string> MissingFromJsonContext(Assembly assembly) =>
        ToolMethods(assembly)
            .Select(tool => (tool.Name, tool.Method, Result: Unwrap(tool.Method.ReturnType)))
            .Where(tool => !SdkResults.Contains(tool.Result) && ToolsJsonContext.Default.GetTypeInfo(tool.Result) is null)
            .Select(tool => $"Tool '{tool.Name}' ({tool.Method.DeclaringType!.Name}.{tool.Method.Name}) returns {tool.Result.Name}, which ToolsJsonContext does not know: " +
                $"add [JsonSerializable(typeof({tool.Result.Name}))] to ToolsJsonContext (the Native AOT sidecar cannot serialize it by reflection).");

    private static IEnumerable<(string Name, MethodInfo Method)> ToolMethods(Assembly assembly) =>
        assembly.GetTypes()
            .Where(type => type.GetCustomAttribute<McpServerToolTypeAttribute>() is not null)
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => (Attribute: method.GetCustomAttribute<McpServerToolAttribute>(), Method: method))
            .Where(tool => tool.Attribute is not null)
            .Select(tool => (tool.Attribute!.Name ?? tool.Method.Name, tool.Method));

    private static Type Unwrap(Type type) =>
        type == typeof(Task) || type == typeof(ValueTask) ? typeof(void)
        : type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)) ? type.GetGenericArguments()[0]
        : type;
}

/// <summary>A result type nobody added to <see cref="ToolsJsonContext"/>.</summary>
public sealed record UnknownResult(string Value);

/// <summary>A tool as a team might write it and forget to add its result type.</summary>
[McpServerToolType]
public sealed class ToolWithAnUnknownResult
{
    [McpServerTool(Name = "unknown_result")]
    public static UnknownResult Get() => new("x");
}
