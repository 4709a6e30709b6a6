using System.Reflection;
using McpAspire.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Tests;

/// <summary>
/// The tool set is whole: every tool class in the project is served. (That every type a tool takes or returns can be
/// serialized without reflection is checked by the build: McpAspire.Generators, MCPASP001.)
/// </summary>
public sealed class ToolSetTests
{
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
            .Select(tool => $"Tool '{tool.Name}' ({tool.Method.DeclaringType!.Name}) is not served: add .WithMcpAspireTools<{tool.Method.DeclaringType.Name}>(ToolsJson.Options) to McpAspireToolSet.AddTo.");
        Assert.Empty(missing);
    }

    private static IEnumerable<(string Name, MethodInfo Method)> ToolMethods(Assembly assembly) =>
        assembly.GetTypes()
            .Where(type => type.GetCustomAttribute<McpServerToolTypeAttribute>() is not null)
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => (Attribute: method.GetCustomAttribute<McpServerToolAttribute>(), Method: method))
            .Where(tool => tool.Attribute is not null)
            .Select(tool => (tool.Attribute!.Name ?? tool.Method.Name, tool.Method));
}

/// <summary>A result type in no JSON context (this project is not served Native AOT, so the build allows it).</summary>
public sealed record UnknownResult(string Value);

/// <summary>A tool class served by no tool set.</summary>
[McpServerToolType]
public sealed class ToolWithAnUnknownResult
{
    [McpServerTool(Name = "unknown_result")]
    public static UnknownResult Get() => new("x");
}
