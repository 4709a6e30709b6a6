using System.Runtime.CompilerServices;
using System.Text.Json;
using Json.Schema;
using McpAspire.Hosting.Security;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Validation;

/// <summary>
/// Checks <c>tools/call</c> arguments against the tool's own input schema, so a caller learns which argument was
/// wrong and why, instead of the SDK's generic "An error occurred invoking" message. A schema that says no more than
/// the SDK's binder enforces anyway (types, properties, required: what it generates from a C# signature) costs a
/// call only a check that the required arguments are there and not null; the whole schema is evaluated when the
/// tool throws, to say why. Any other schema is evaluated before the tool runs.
/// </summary>
internal static class ToolArgumentValidator
{
    private static readonly ConditionalWeakTable<McpServerTool, CompiledSchema> Schemas = [];

    /// <summary>A yes/no evaluation stops at the first failure and builds no report: the price of every call.</summary>
    private static readonly EvaluationOptions Check = new() { OutputFormat = OutputFormat.Flag };

    /// <summary>The full report, built only for arguments already known to be wrong.</summary>
    private static readonly EvaluationOptions Explain = new() { OutputFormat = OutputFormat.List };

    /// <summary>The request filter for <c>tools/call</c>; register with <c>AddCallToolFilter</c>.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            if (request.MatchedPrimitive is not McpServerTool tool)
            {
                return await next(request, cancellationToken);
            }

            var arguments = request.Params?.Arguments;
            var compiled = CompiledFor(tool);
            if ((!compiled.BinderEnforced || !compiled.HasRequired(arguments)) && Validate(tool, arguments) is { } error)
            {
                return Refused(request.Services, error);
            }

            try
            {
                return await next(request, cancellationToken);
            }
            catch (Exception) when (compiled.BinderEnforced && Validate(tool, arguments) is { } why)
            {
                // The binder refused the arguments (the SDK would say only "An error occurred invoking"); say why.
                return Refused(request.Services, why);
            }
        };

    private static CallToolResult Refused(IServiceProvider? services, string error)
    {
        AccessLogRefusals.Name(services, "tool-argument");
        return new() { IsError = true, Content = [new TextContentBlock { Text = error }] };
    }

    /// <summary>Compiles <paramref name="tool"/>'s input schema now rather than on its first call (the host's warm-up).</summary>
    public static void Prepare(McpServerTool tool) => CompiledFor(tool);

    private static CompiledSchema CompiledFor(McpServerTool tool) => Schemas.GetValue(tool, static t => new CompiledSchema(t.ProtocolTool.InputSchema));

    /// <summary>Null when <paramref name="arguments"/> satisfy the tool's input schema, else a message naming each bad argument.</summary>
    public static string? Validate(McpServerTool tool, IDictionary<string, JsonElement>? arguments)
    {
        var schema = CompiledFor(tool).Schema;
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
