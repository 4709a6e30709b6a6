using System.Diagnostics;
using McpAspire.Hosting.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpAspire.Hosting.Security;

/// <summary>
/// One structured line per request, written when it ends (for an event stream, when the stream closes): time, principal,
/// transport, MCP method and tool, status, duration, client address, trace id, and why it was refused if it was (every
/// 4xx answer, and a JSON-RPC error or a tool's error result in a 200: <see cref="AccessLogRefusals"/>).
/// Never a header, a query string (the legacy session id), a key, a token or a tool argument.
/// </summary>
internal sealed partial class AccessLogMiddleware(RequestDelegate next, ILoggerFactory loggers)
{
    /// <summary>The log category; the file sink and log filters select on it.</summary>
    public const string Category = "McpAspire.AccessLog";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var entry = new AccessLogEntry();
        context.Features.Set(entry);
        var traceId = Activity.Current?.TraceId.ToString() ?? "";
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            // Nothing answered it: the server will send 500, and that is what the line must say.
            failed = !context.Response.HasStarted;
            throw;
        }
        finally
        {
            Log(context, entry, started, traceId, failed);
        }
    }

    private void Log(HttpContext context, AccessLogEntry entry, long started, string traceId, bool failed)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var info = context.Features.Get<McpRequestInfo>();
        var duration = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var principal = HttpCallerAccessor.PrincipalOf(context);
        var client = ClientAddress.Of(context)?.ToString() ?? "";
        var transport = context.Request.Path.StartsWithSegments(McpHttpPaths.Mcp, StringComparison.OrdinalIgnoreCase) ? HttpCallerAccessor.TransportOf(context) : "";
        var tool = info?.ToolName is { } name ? ClientText.Shorten(name) : "";
        var refusal = entry.Refusal ?? RefusalOfStatus(context, failed);
        LogRequest(context.Request.Method, context.Request.Path.Value ?? "", failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode, duration, principal, client,
            transport, info?.Method ?? "", tool, refusal, traceId);
    }

    /// <summary>
    /// A refusal nobody named: one the SDK answered itself before any message filter ran (a well-formed body that is
    /// not a valid message, a missing or unknown session, the wrong Accept or Content-Type), named by its status. A
    /// server error is not a refusal.
    /// </summary>
    private static string RefusalOfStatus(HttpContext context, bool failed) => failed ? "" : context.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound when context.Request.Headers.ContainsKey(McpHeaders.SessionId) || context.Request.Query.ContainsKey("sessionId") => "unknown-session",
        StatusCodes.Status400BadRequest => "bad-request",
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
        StatusCodes.Status406NotAcceptable => "not-acceptable",
        StatusCodes.Status413PayloadTooLarge => "too-large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
        >= 400 and < 500 => $"http-{context.Response.StatusCode}",
        _ => "",
    };

    [LoggerMessage(EventId = 1, EventName = "McpAccess", Level = LogLevel.Information, SkipEnabledCheck = true,
        Message = "{HttpMethod} {Path} {StatusCode} {DurationMs:0.000} ms principal={Principal} client={ClientIp} transport={Transport} method={McpMethod} tool={Tool} refused={Refusal} trace={TraceId}")]
    private partial void LogRequest(string httpMethod, string path, int statusCode, double durationMs, string principal, string clientIp,
        string transport, string mcpMethod, string tool, string refusal, string traceId);
}
