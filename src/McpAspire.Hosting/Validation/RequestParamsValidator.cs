using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Validation;

/// <summary>
/// Answers a request whose params do not bind to the SDK's type for its method (a member missing or of the wrong type)
/// with -32602 naming the member, where the SDK answers -32603 "An error occurred." (and, for <c>initialize</c> over
/// HTTP, 500). It binds with the same serializer options the SDK's handlers use, so it finds what the SDK tripped on.
/// A request pays only for the check that required members are there: the params are bound a second time only when
/// the SDK's own binding has failed.
/// </summary>
internal static class RequestParamsValidator
{
    /// <summary>The requests a server handles, with the type their params bind to.</summary>
    private static readonly FrozenDictionary<string, JsonTypeInfo> ParamsTypes = new Dictionary<string, Type>
    {
        [RequestMethods.Initialize] = typeof(InitializeRequestParams),
        [RequestMethods.Ping] = typeof(PingRequestParams),
        [RequestMethods.ServerDiscover] = typeof(DiscoverRequestParams),
        [RequestMethods.ToolsList] = typeof(ListToolsRequestParams),
        [RequestMethods.ToolsCall] = typeof(CallToolRequestParams),
        [RequestMethods.PromptsList] = typeof(ListPromptsRequestParams),
        [RequestMethods.PromptsGet] = typeof(GetPromptRequestParams),
        [RequestMethods.ResourcesList] = typeof(ListResourcesRequestParams),
        [RequestMethods.ResourcesTemplatesList] = typeof(ListResourceTemplatesRequestParams),
        [RequestMethods.ResourcesRead] = typeof(ReadResourceRequestParams),
        [RequestMethods.ResourcesSubscribe] = typeof(SubscribeRequestParams),
        [RequestMethods.ResourcesUnsubscribe] = typeof(UnsubscribeRequestParams),
#pragma warning disable MCP9005 // Logging is deprecated from 2026-07-28, and the 2025-era clients this serves still set levels.
        [RequestMethods.LoggingSetLevel] = typeof(SetLevelRequestParams),
#pragma warning restore MCP9005
        [RequestMethods.CompletionComplete] = typeof(CompleteRequestParams),
    }.ToFrozenDictionary(e => e.Key, e => McpJsonUtilities.DefaultOptions.GetTypeInfo(e.Value));

    /// <summary>Each method's required members: the serializer checks that they are there, not that they are more than null.</summary>
    private static readonly FrozenDictionary<string, string[]> RequiredMembers =
        ParamsTypes.ToFrozenDictionary(e => e.Key, e => e.Value.Properties.Where(p => p.IsRequired).Select(p => p.Name).ToArray());

    /// <summary>The incoming message filter; register with <c>AddIncomingFilter</c>.</summary>
    public static McpMessageHandler Filter(McpMessageHandler next) =>
        async (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is not JsonRpcRequest request)
            {
                await next(context, cancellationToken);
                return;
            }

            if (Shape(request.Method, request.Params) is { } problem)
            {
                throw new McpProtocolException(problem, McpErrorCode.InvalidParams);
            }

            try
            {
                await next(context, cancellationToken);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException && Validate(request.Method, request.Params) is { } bindProblem)
            {
                // The SDK could not bind the params (a tool's own failure leaves them valid and is passed on as it was).
                throw new McpProtocolException(bindProblem, ex, McpErrorCode.InvalidParams);
            }
        };

    /// <summary>What is wrong with the shape of the params, short of binding them: not an object, or a required member missing or null.</summary>
    private static string? Shape(string method, JsonNode? parameters)
    {
        if (!RequiredMembers.TryGetValue(method, out var required))
        {
            return null;
        }

        if (parameters is not null and not JsonObject)
        {
            return NotAnObject(method, "params", parameters.GetValueKind());
        }

        var members = parameters as JsonObject;
        foreach (var name in required)
        {
            if (members?[name] is null)
            {
                var missing = required.Where(n => members?[n] is null).Select(n => $"'{n}'");
                return $"Invalid params: {method} requires {string.Join(", ", missing)}.";
            }
        }

        return null;
    }

    /// <summary>Null when <paramref name="parameters"/> bind for <paramref name="method"/> (or the method is not one of the server's), else what is wrong.</summary>
    public static string? Validate(string method, JsonNode? parameters)
    {
        if (!ParamsTypes.TryGetValue(method, out var typeInfo))
        {
            return null;
        }

        if (Shape(method, parameters) is { } problem)
        {
            return problem;
        }

        if (parameters is null)
        {
            return null;
        }

        try
        {
            _ = parameters.Deserialize(typeInfo);
            return null;
        }
        catch (JsonException ex)
        {
            return WrongType(method, ex.Path);
        }
        catch (InvalidOperationException) when (UnpairedSurrogate(parameters, "$") is { } path)
        {
            // An escape such as "\ud800" is well-formed JSON but no string: nothing can read it, a tool included.
            return $"Invalid params: '{path}' of {method} has an unpaired surrogate escape (\\uD800-\\uDFFF), which is not Unicode text.";
        }
    }

    /// <summary>The path of the first string in <paramref name="node"/> that cannot be read as UTF-16, if any.</summary>
    private static string? UnpairedSurrogate(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject members:
                return members.Select(m => UnpairedSurrogate(m.Value, $"{path}.{m.Key}")).FirstOrDefault(p => p is not null);
            case JsonArray items:
                return items.Select((item, i) => UnpairedSurrogate(item, $"{path}[{i}]")).FirstOrDefault(p => p is not null);
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                try
                {
                    _ = value.GetValue<string>();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return path;
                }

            default:
                return null;
        }
    }

    /// <summary>The message for a member that must be an object and is not.</summary>
    public static string NotAnObject(string method, string member, JsonValueKind kind) =>
        $"Invalid params: the {member} of {method} must be an object, not {kind.ToString().ToLowerInvariant()}.";

    /// <summary>The message for params that are well-formed JSON but whose member at <paramref name="path"/> does not bind.</summary>
    public static string WrongType(string? method, string? path) =>
        $"Invalid params: '{path ?? "$"}' of {method ?? "the request"} has the wrong type or value.";
}
