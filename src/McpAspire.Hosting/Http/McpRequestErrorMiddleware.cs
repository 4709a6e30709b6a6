using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using McpAspire.State;
using McpAspire.State.Resilience;
using ModelContextProtocol;

namespace McpAspire.Hosting.Http;

/// <summary>
/// Turns a client's malformed request into a 4xx JSON-RPC error instead of the 500 the SDK gives for some of them
/// (a malformed body on the legacy message endpoint; <c>initialize</c> whose params have the wrong types).
/// </summary>
internal sealed partial class McpRequestErrorMiddleware(RequestDelegate next, ILogger<McpRequestErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (JsonException ex) when (!context.Response.HasStarted)
        {
            // The SDK reads Streamable HTTP bodies itself and answers malformed ones with 400; what escapes from there is
            // a well-formed message whose params did not bind (initialize with wrong types). The legacy message endpoint
            // lets the body's own parse error escape.
            var (code, message) = context.Request.Path.Equals(McpHttpPaths.SdkLegacyMessage, StringComparison.OrdinalIgnoreCase)
                ? (McpErrorCode.ParseError, "Parse error: the request body is not a well-formed JSON-RPC message.")
                : (McpErrorCode.InvalidParams, $"Invalid params: '{ex.Path}' has the wrong type or value.");
            LogRejected(context.Request.Method, context.Request.Path, (int)code, ex.Path);
            context.Response.Clear();
            await JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, code, message);
        }
        catch (StateUnavailableException ex) when (!context.Response.HasStarted)
        {
            // Redis is down and this request needed it (adopting a session, reaching the replica that holds one): the
            // session is not lost, so the client is told to retry, not to start over.
            LogRejected(context.Request.Method, context.Request.Path, StatusCodes.Status503ServiceUnavailable, null);
            context.Response.Clear();
            context.Response.Headers.RetryAfter = "1";
            await JsonRpcErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, McpAspireErrorCodes.StateUnavailable, ex.Message);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            // Kestrel's own refusals (body too large, body cut short) keep their status code.
            LogRejected(context.Request.Method, context.Request.Path, ex.StatusCode, null);
            context.Response.Clear();
            await JsonRpcErrors.WriteAsync(context, ex.StatusCode, McpErrorCode.InvalidRequest, $"Bad request: {ex.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected {Method} {Path}: error {Code} at {JsonPath}")]
    private partial void LogRejected(string method, PathString path, int code, string? jsonPath);
}
