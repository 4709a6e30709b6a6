using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Security;

/// <summary>
/// Names, in the access log line of the HTTP request that carried it, why the server refused a request once it was
/// past the edge: a JSON-RPC error answered to it (<c>request-state:&lt;reason&gt;</c>, <c>missing-capability</c>,
/// <c>rate-limit</c>, <c>state-unavailable</c>, <c>invalid-params</c>, …, each with its code) or a tool's error result
/// (<c>tool-error</c>; <c>tool-argument</c> when the arguments did not match the tool's schema). A refusal named where it
/// was made (the edge's, <see cref="Http.JsonRpcErrors"/>) is kept. A refusal answered outside the request that asked
/// (a legacy SSE stream) has no line of its own to go on.
/// </summary>
internal static class AccessLogRefusals
{
    public static McpMessageFilter Filter { get; } = next => async (context, cancellationToken) =>
    {
        if (ReasonOf(context.JsonRpcMessage) is { } reason)
        {
            Name(context.Services, reason);
        }

        await next(context, cancellationToken);
    };

    /// <summary>
    /// Names the refusal of the HTTP request being served, unless it has a name already (the first, most specific
    /// one is kept); does nothing outside an HTTP request.
    /// </summary>
    public static void Name(IServiceProvider? services, string reason)
    {
        if (services?.GetService<IHttpContextAccessor>()?.HttpContext?.Features.Get<AccessLogEntry>() is { Refusal: null } entry)
        {
            entry.Refusal = reason;
        }
    }

    /// <summary>Why <paramref name="message"/> refuses what the client asked, or null when it does not.</summary>
    public static string? ReasonOf(JsonRpcMessage message) => message switch
    {
        JsonRpcError { Error: var error } => $"{NameOf(error.Code, error.Data)}({error.Code})",
        JsonRpcResponse { Result: JsonObject result } when result["isError"] is JsonValue isError && isError.TryGetValue(out bool failed) && failed => "tool-error",
        _ => null,
    };

    private static string NameOf(int code, object? data) => code switch
    {
        -32602 when ReasonIn(data) is { } why => $"request-state:{why}",
        -32602 => "invalid-params",
        -32600 => "invalid-request",
        -32601 => "method-not-found",
        -32700 => "parse-error",
        -32021 => "missing-capability",
        -32022 => "unsupported-protocol-version",
        -32001 => "unknown-session",
        -32029 => "rate-limit",
        -32030 => "state-unavailable",
        -32603 => "internal-error",
        _ => "error",
    };

    /// <summary>The <c>reason</c> member of an error's data (a refused <c>requestState</c> carries one), as the SDK holds it.</summary>
    private static string? ReasonIn(object? data) => data switch
    {
        IDictionary<string, JsonElement> members when members.TryGetValue("reason", out var reason) && reason.ValueKind == JsonValueKind.String => reason.GetString(),
        JsonNode node when node["reason"] is JsonValue reason && reason.TryGetValue(out string? why) => why,
        _ => null,
    };
}
