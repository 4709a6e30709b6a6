using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.Http;

/// <summary>Writes a JSON-RPC error as an HTTP response, the shape MCP clients parse.</summary>
internal static class JsonRpcErrors
{
    public static Task WriteAsync(HttpContext context, int statusCode, McpErrorCode code, string message)
    {
        var error = new JsonRpcError
        {
            Id = default,
            Error = new JsonRpcErrorDetail { Code = (int)code, Message = message },
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
