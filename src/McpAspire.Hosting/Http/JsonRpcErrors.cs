using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.Http;

/// <summary>Writes a JSON-RPC error as an HTTP response, the shape MCP clients parse.</summary>
internal static class JsonRpcErrors
{
    public static Task WriteAsync(HttpContext context, int statusCode, McpErrorCode code, string message, JsonElement? id = null, JsonNode? data = null)
    {
        var error = new JsonRpcError
        {
            Id = id is { } element ? JsonSerializer.Deserialize<RequestId>(element, McpJsonUtilities.DefaultOptions) : default,
            Error = new JsonRpcErrorDetail { Code = (int)code, Message = message, Data = data },
        };
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(
            context.Response.Body,
            error,
            McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage)),
            context.RequestAborted);
    }
}
