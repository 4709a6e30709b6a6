using System.Text.Json;
using McpAspire.Hosting.Validation;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;

namespace McpAspire.Hosting.Http;

/// <summary>
/// Turns a client's malformed request into a 4xx JSON-RPC error instead of the 500 the SDK gives for some of them
/// (a body on the legacy message endpoint that is not a JSON-RPC message; <c>initialize</c> whose params have the wrong types).
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
            // What escapes the SDK is well-formed JSON (McpRequestPeekMiddleware answered the rest): on the legacy message
            // endpoint a body that is not a JSON-RPC message, worded as the SDK words it on /mcp; on /mcp an initialize
            // whose params did not bind (the SDK reads them itself to start the session, before any message filter).
            var (code, message) = context.Request.Path.Equals(McpHttpPaths.SdkLegacyMessage, StringComparison.OrdinalIgnoreCase)
                ? (McpErrorCode.InvalidRequest, JsonRpcErrors.NotAMessage(ex.Message))
                : (McpErrorCode.InvalidParams, RequestParamsValidator.WrongType(context.Features.Get<McpRequestInfo>()?.Method, ex.Path));
            LogRejected(context.Request.Method, context.Request.Path, (int)code, ex.Path);
            context.Response.Clear();
            await JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, code, message, context.Features.Get<McpRequestInfo>()?.Id);
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
