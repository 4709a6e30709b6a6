using System.Diagnostics;
using McpAspire.Hosting.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpAspire.Hosting.Security;

/// <summary>
/// One structured line per request, written when it ends (for an event stream, when the stream closes): time, principal,
/// transport, MCP method and tool, status, duration, client address, trace id, and why the edge refused it if it did.
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
        LogRequest(context.Request.Method, context.Request.Path.Value ?? "", failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode, duration, principal, client,
            transport, info?.Method ?? "", tool, entry.Refusal ?? "", traceId);
    }

    [LoggerMessage(EventId = 1, EventName = "McpAccess", Level = LogLevel.Information, SkipEnabledCheck = true,
        Message = "{HttpMethod} {Path} {StatusCode} {DurationMs:0.000} ms principal={Principal} client={ClientIp} transport={Transport} method={McpMethod} tool={Tool} refused={Refusal} trace={TraceId}")]
    private partial void LogRequest(string httpMethod, string path, int statusCode, double durationMs, string principal, string clientIp,
        string transport, string mcpMethod, string tool, string refusal, string traceId);
}
