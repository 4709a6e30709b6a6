using Microsoft.AspNetCore.Http;
using ModelContextProtocol;

namespace McpAspire.Hosting.Http;

/// <summary>
/// Refuses a request that repeats an MCP header: the SDK would join the values with a comma and answer 404 for a
/// session id that never existed, which sends the client off to start a new session instead of fixing its request.
/// </summary>
internal static class McpHeaderCheck
{
    private static readonly string[] SingleValued = [McpHeaders.SessionId, McpHeaders.ProtocolVersion];

    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        foreach (var header in SingleValued)
        {
            if (context.Request.Headers[header].Count > 1)
            {
                return JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                    $"Bad Request: send one {header} header, not {context.Request.Headers[header].Count}.");
            }
        }

        return next(context);
    }
}
