using System.Text.Json;
using System.Text.Json.Nodes;
using McpAspire.Hosting.Security;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.Http;

/// <summary>Writes a JSON-RPC error as an HTTP response, the shape MCP clients parse.</summary>
internal static class JsonRpcErrors
{
    /// <summary>The code MCP clients read as "this session is gone" (Streamable HTTP answers it with 404): start a new one.</summary>
    public const McpErrorCode SessionNotFound = (McpErrorCode)(-32001);

    public const string SessionNotFoundMessage = "Session not found";

    public static Task WriteAsync(HttpContext context, int statusCode, McpErrorCode code, string message, JsonElement? id = null, JsonNode? data = null)
    {
        var error = Error(code, message, id, data);
        // The access log names the refusal by its code unless whoever refused named it already.
        if (context.Features.Get<AccessLogEntry>() is { Refusal: null } entry)
        {
            entry.Refusal = AccessLogRefusals.ReasonOf(error);
        }

        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(
            context.Response.Body,
            error,
            McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage)),
            context.RequestAborted);
    }

    /// <summary>The error as the body of an answer written elsewhere (a replica's answer to a forwarded message).</summary>
    public static string Body(McpErrorCode code, string message) =>
        JsonSerializer.Serialize(Error(code, message, id: null, data: null), McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage)));

    private static JsonRpcError Error(McpErrorCode code, string message, JsonElement? id, JsonNode? data) => new()
    {
        Id = IdOf(id),
        Error = new JsonRpcErrorDetail { Code = (int)code, Message = message, Data = data },
    };

    /// <summary>The message for a well-formed JSON body that is not a JSON-RPC message, worded as the SDK words it on <c>/mcp</c>.</summary>
    public static string NotAMessage(string reason) => $"Bad Request: The POST body did not contain a valid JSON-RPC message: {reason}";

    /// <summary>The request's id when it is one MCP allows (a string or an integer), else none, as JSON-RPC answers an id it cannot use.</summary>
    private static RequestId IdOf(JsonElement? id) => id switch
    {
        { ValueKind: JsonValueKind.String } text => new RequestId(text.GetString()!),
        { ValueKind: JsonValueKind.Number } number when number.TryGetInt64(out var value) => new RequestId(value),
        _ => default,
    };
}
