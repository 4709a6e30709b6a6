using System.Text;
using System.Text.RegularExpressions;
using McpAspire.Hosting.Http;
using McpAspire.State;
using McpAspire.State.Resilience;
using McpAspire.State.Sessions;
using McpAspire.Tools;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// Records which replica holds a legacy SSE session before the client can use it: the SDK names the session in the
/// stream's first event (<c>endpoint</c>, with <c>?sessionId=</c>), and that event is held back until the session is
/// in Redis, so a POST that reaches another replica a moment later finds its owner. The record goes when the stream
/// ends, whatever ends it.
/// </summary>
internal sealed partial class LegacySessionAnnouncer(
    LocalSessions local,
    IOptions<McpAspireToolsOptions> options,
    ILogger<LegacySessionAnnouncer> logger,
    IOptions<McpAspireStateOptions> stateOptions,
    ISessionStore? sessions = null)
{
    public async Task RunAsync(HttpContext context, RequestDelegate next)
    {
        string? sessionId = null;
        async Task AnnounceAsync(string id)
        {
            sessionId = id;
            local.Add(id, legacy: true);
            var caller = new McpCaller(HttpCallerAccessor.PrincipalOf(context), McpTransports.Sse, id, options.Value.InstanceId, null, null);
            if (sessions is null)
            {
                return;
            }

            try
            {
                await SessionRecords.StartAsync(sessions, caller, new SessionOrigin(null, SdkEndpoints.SessionUserOf(context.User)), stateOptions.Value, context.RequestAborted);
            }
            catch (StateUnavailableException ex)
            {
                // Nothing has gone out yet (the endpoint event is held): the stream is answered 503, and the client retries.
                LogNotStarted(id, ex.Message);
                throw;
            }
        }

        try
        {
            await ResponseBodyWrapper.RunAsync(context, inner => new AnnouncingStream(inner, AnnounceAsync), next);
        }
        finally
        {
            if (sessionId is not null)
            {
                local.Remove(sessionId);
            }

            if (sessionId is not null && sessions is not null)
            {
                try
                {
                    await sessions.DeleteAsync(sessionId, CancellationToken.None);
                }
                catch (StateUnavailableException ex)
                {
                    // The record expires on its own; meanwhile a post forwarded here is answered 404 (no such session).
                    LogNotForgotten(sessionId, ex.Message);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Legacy session {SessionId} not started: it could not be recorded for the other replicas: {Reason}")]
    private partial void LogNotStarted(string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Legacy session {SessionId} ended but its record stays until it expires: {Reason}")]
    private partial void LogNotForgotten(string sessionId, string reason);

    /// <summary>Holds back the stream's first event until <c>onEndpoint</c> has run with the session id it names.</summary>
    private sealed partial class AnnouncingStream(Stream inner, Func<string, Task> onEndpoint) : WriteOnlyStream
    {
        private MemoryStream? _head = new();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_head is null)
            {
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }

            _head.Write(buffer.Span);
            var text = Encoding.UTF8.GetString(_head.GetBuffer(), 0, (int)_head.Length);
            if (!text.Contains("\n\n", StringComparison.Ordinal))
            {
                return;
            }

            if (SessionIdPattern().Match(text) is { Success: true } match)
            {
                await onEndpoint(Uri.UnescapeDataString(match.Groups[1].Value));
            }

            var head = _head;
            _head = null;
            await inner.WriteAsync(head.GetBuffer().AsMemory(0, (int)head.Length), cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) =>
            _head is null ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

        public override void Flush() => FlushAsync().GetAwaiter().GetResult();

        [GeneratedRegex(@"[?&]sessionId=([^&\s]+)")]
        private static partial Regex SessionIdPattern();
    }
}
