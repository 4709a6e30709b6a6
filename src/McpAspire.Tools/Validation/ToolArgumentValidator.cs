using System.Runtime.CompilerServices;
using System.Text.Json;
using Json.Schema;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Validation;

/// <summary>
/// Checks <c>tools/call</c> arguments against the tool's own input schema before the tool runs, so a caller
/// learns which argument was wrong and why, instead of the SDK's generic "An error occurred invoking" message.
/// </summary>
public static class ToolArgumentValidator
{
    private static readonly ConditionalWeakTable<McpServerTool, JsonSchema> Schemas = [];
    /// <summary>A yes/no evaluation stops at the first failure and builds no report: the price of every call.</summary>
    private static readonly EvaluationOptions Check = new() { OutputFormat = OutputFormat.Flag };

    /// <summary>The full report, built only for arguments already known to be wrong.</summary>
    private static readonly EvaluationOptions Explain = new() { OutputFormat = OutputFormat.List };

    /// <summary>The request filter for <c>tools/call</c>; register with <c>AddCallToolFilter</c>.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            if (request.MatchedPrimitive is McpServerTool tool && Validate(tool, request.Params?.Arguments) is { } error)
            {
                return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = error }] };
            }

            return await next(request, cancellationToken);
        };

    /// <summary>Null when <paramref name="arguments"/> satisfy the tool's input schema, else a message naming each bad argument.</summary>
    public static string? Validate(McpServerTool tool, IDictionary<string, JsonElement>? arguments)
    {
        var schema = Schemas.GetValue(tool, static t => JsonSchema.Build(t.ProtocolTool.InputSchema, new BuildOptions()));
        var instance = JsonSerializer.SerializeToElement(arguments ?? new Dictionary<string, JsonElement>(), ArgumentsContext.Default.IDictionaryStringJsonElement);
        if (schema.Evaluate(instance, Check).IsValid)
        {
            return null;
        }

        var result = schema.Evaluate(instance, Explain);
        var problems = (result.Details ?? [result])
            .Where(detail => detail.Errors is { Count: > 0 })
            .SelectMany(detail => detail.Errors!.Values.Select(message => Describe(detail.InstanceLocation.ToString(), message)))
            .Distinct()
            .ToList();
        return $"Invalid arguments for tool '{tool.ProtocolTool.Name}': {string.Join("; ", problems)}";
    }

    private static string Describe(string location, string message) =>
        location is "" or "/" ? message : $"argument '{location.TrimStart('/').Replace("/", ".", StringComparison.Ordinal)}': {message}";
}
