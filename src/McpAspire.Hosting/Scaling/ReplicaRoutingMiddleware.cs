using System.Text;
using System.Text.Json;
using McpAspire.Abstractions;
using McpAspire.Hosting.Http;
using McpAspire.Hosting.Scaling;
using McpAspire.Hosting.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// What lets the front-end run as many replicas with no sticky sessions, at the HTTP edge:
/// <list type="bullet">
/// <item>a legacy SSE <c>POST /message</c> for a session whose <c>GET /sse</c> stream another replica holds goes to that
/// replica through Redis, because the answer must go out on that stream; its status comes back as the answer here;</item>
/// <item>a Streamable HTTP answer to a server request (sampling, elicitation) or a cancellation is also sent to the other
/// copies of the session, since the request it concerns may run on another replica;</item>
/// <item>a session deleted here is forgotten in Redis and closed on every other replica.</item>
/// </list>
/// </summary>
internal sealed partial class ReplicaRoutingMiddleware(
    RequestDelegate next,
    LocalSessions local,
    ISessionStore sessions,
    ReplicaBus bus,
    IHostApplicationLifetime lifetime,
    ILogger<ReplicaRoutingMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && request.Path.Equals(McpHttpPaths.SdkLegacyMessage, StringComparison.OrdinalIgnoreCase) &&
            request.Query["sessionId"].ToString() is { Length: > 0 } legacySession)
        {
            if (!local.Holds(legacySession))
            {
                return ForwardLegacyAsync(context, legacySession);
            }

            // A draining replica is closing its legacy streams, and the SDK forgets a session before its stream's request
            // ends: a post for one of them is answered as for a session that is gone, so the client starts a new one.
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return LegacyUnknownSession.WriteAsync(context);
            }
        }

        if (request.Path.Equals(McpHttpPaths.Mcp, StringComparison.OrdinalIgnoreCase) && request.Headers[McpHeaders.SessionId].ToString() is { Length: > 0 } sessionId)
        {
            if (HttpMethods.IsPost(request.Method) && context.Features.Get<McpRequestInfo>() is { ConcernsOtherRequests: true })
            {
                return ShareAsync(context, sessionId);
            }

            if (HttpMethods.IsDelete(request.Method))
            {
                return EndAsync(context, sessionId);
            }
        }

        return next(context);
    }

    private async Task ForwardLegacyAsync(HttpContext context, string sessionId)
    {
        var record = await sessions.GetAsync(sessionId, context.RequestAborted);
        if (record is not { Origin: { } origin, Transport: McpTransports.Sse })
        {
            await LegacyUnknownSession.WriteAsync(context);
            return;
        }

        var message = SdkEndpoints.MessageFrom(context, sessionId, await ReadBodyAsync(context));
        if (origin.User != message.User)
        {
            await JsonRpcErrors.WriteAsync(context, StatusCodes.Status403Forbidden, McpErrorCode.InvalidRequest,
                "Forbidden: the session belongs to another user.");
            return;
        }

        // Well-formed JSON (McpRequestPeekMiddleware refused the rest), answered as the owner's SDK endpoint would be.
        if (MessageProblem(message.Body!) is { } problem)
        {
            await JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest, JsonRpcErrors.NotAMessage(problem));
            return;
        }

        var answer = record.OwnerInstance == bus.InstanceId
            ? null
            : await bus.ForwardAsync(record.OwnerInstance, message, context.RequestAborted);
        // The replica holding the stream is gone, or its stream has just ended (it is draining), so is the session: the
        // client opens a new stream.
        if (answer is null || LegacyUnknownSession.IsSdkAnswer(answer.StatusCode, answer.Body))
        {
            LogOwnerGone(sessionId, record.OwnerInstance);
            await sessions.DeleteAsync(sessionId, context.RequestAborted);
            await LegacyUnknownSession.WriteAsync(context);
            return;
        }

        context.Response.StatusCode = answer.StatusCode;
        context.Response.ContentType = answer.ContentType.Length > 0 ? answer.ContentType : null;
        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    private async Task ShareAsync(HttpContext context, string sessionId)
    {
        var body = await ReadBodyAsync(context);
        await next(context);
        if (context.Response.StatusCode < StatusCodes.Status400BadRequest)
        {
            await bus.BroadcastAsync(SdkEndpoints.MessageFrom(context, sessionId, body));
        }
    }

    private async Task EndAsync(HttpContext context, string sessionId)
    {
        await next(context);
        if (context.Response.StatusCode < StatusCodes.Status400BadRequest)
        {
            await sessions.DeleteAsync(sessionId, context.RequestAborted);
            await bus.BroadcastAsync(SdkEndpoints.MessageFrom(context, sessionId, null));
        }
    }

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        context.Request.EnableBuffering();
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        context.Request.Body.Position = 0;
        return body;
    }

    private static string? MessageProblem(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage))) is JsonRpcMessage
                ? null
                : "the body is null.";
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Legacy session {SessionId} ended with its replica {Owner}")]
    private partial void LogOwnerGone(string sessionId, string owner);
}
