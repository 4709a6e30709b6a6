using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Abstractions;

/// <summary>
/// A tool listed from its build-time description and served by the SDK's own tool for the same method, built at its
/// first call: a host's start builds no JSON schema, and each tool pays for its binding once, when first used.
/// </summary>
/// <remarks>
/// Listing and calling behave as the SDK's tool does (McpAspire.Tools.Tests compares the two): the description is the
/// SDK's, computed by the generator; the call, its argument binding and its result are the SDK tool's.
/// </remarks>
internal sealed class BuildTimeDescribedTool(Tool tool, MethodInfo method, Func<McpServerTool> create) : McpServerTool
{
    private readonly Lazy<McpServerTool> _inner = new(create);
    private IReadOnlyList<object>? _metadata;

    public override Tool ProtocolTool { get; } = tool;

    /// <summary>What the SDK's tool carries: the method, then its type's attributes, then its own (in that order).</summary>
    public override IReadOnlyList<object> Metadata => _metadata ??=
        [method, .. method.DeclaringType?.GetCustomAttributes() ?? [], .. method.GetCustomAttributes()];

    public override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default) =>
        _inner.Value.InvokeAsync(request, cancellationToken);

    public override string ToString() => ProtocolTool.Name;

    internal static Tool Parse(string toolJson, string? derivedName)
    {
        var tool = JsonSerializer.Deserialize(toolJson, (JsonTypeInfo<Tool>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Tool)))
            ?? throw new InvalidOperationException("A generated tool description is empty.");
        if (derivedName is not null)
        {
            tool.Name = JsonNamingPolicy.SnakeCaseLower.ConvertName(derivedName);
        }

        return tool;
    }
}
