using System.ComponentModel;
using System.Reflection;

namespace McpAspire.Abstractions;

/// <summary>
/// Where the tools McpAspire.Generators described at build time are registered, by generated code when their assembly
/// loads. Read by <c>WithMcpAspireTools&lt;T&gt;()</c>; not for hand-written code.
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
    public static void Add(Type toolType, Func<MethodInfo> method, string? toolJson, string? derivedName)
    {
        ArgumentNullException.ThrowIfNull(toolType);
        ArgumentNullException.ThrowIfNull(method);
        lock (Gate)
        {
            if (!Tools.TryGetValue(toolType, out var tools))
            {
                Tools[toolType] = tools = [];
            }

            tools.Add(new GeneratedTool(method, toolJson, derivedName));
        }
    }

    internal static IReadOnlyList<GeneratedTool>? For(Type toolType)
    {
        lock (Gate)
        {
            return Tools.TryGetValue(toolType, out var tools) ? [.. tools] : null;
        }
    }
}

/// <summary>One tool method as registered by generated code.</summary>
internal sealed record GeneratedTool(Func<MethodInfo> Method, string? ToolJson, string? DerivedName);
