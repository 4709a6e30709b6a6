using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
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
            if (Count(context.Request.Headers[header]) is > 1 and var count)
            {
                return JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                    $"Bad Request: send one {header} header, not {count}.");
            }
        }

        return next(context);
    }

    /// <summary>
    /// How many values a header carries: repeated lines, or one line that a client joined with ", " (neither a session
    /// id, visible ASCII without spaces, nor a protocol version has one).
    /// </summary>
    private static int Count(StringValues values) =>
        values.Count == 1 ? values[0]!.Split(", ").Length : values.Count;
}
