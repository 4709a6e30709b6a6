using System.Text;
using System.Text.RegularExpressions;
using McpAspire.Abstractions;
using McpAspire.Hosting.Http;
using McpAspire.Hosting.Sessions;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// Records which replica holds a legacy SSE session before the client can use it: the SDK names the session in the
/// stream's first event (<c>endpoint</c>, with <c>?sessionId=</c>), and that event is held back until the session is
/// in Redis, so a POST that reaches another replica a moment later finds its owner. The record goes when the stream
/// ends, whatever ends it.
/// </summary>
/// <remarks>
/// The held event goes out from the session handler (<see cref="ReleaseEndpointAsync"/>), not from the SDK's own
/// write: the SDK (2.4.0) writes the endpoint outside the lock its messages take and clears its event buffers only
/// after that write's flush returns, so a client quick to post <c>initialize</c> would get the endpoint twice, glued to
/// the answer. The SDK runs the session handler only after its endpoint write has returned.
/// </remarks>
internal sealed partial class LegacySessionAnnouncer(
    LocalSessions local,
    IOptions<McpAspireOptions> options,
    ILogger<LegacySessionAnnouncer> logger,
    IOptions<McpAspireStateOptions> stateOptions,
    ISessionStore? sessions = null)
{
    public async Task RunAsync(HttpContext context, RequestDelegate next)
    {
        HeldEndpointStream? stream = null;
        try
        {
            await ResponseBodyWrapper.RunAsync(context, inner =>
            {
                stream = new HeldEndpointStream(inner);
                context.Features.Set(stream);
                return stream;
            }, next);
        }
        finally
        {
            if (stream?.AnnouncedSessionId is { } sessionId)
            {
                local.Remove(sessionId);
                if (sessions is not null)
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
    }

    /// <summary>
    /// Records the session the held endpoint event names and sends that event to the client: from the SDK's session
    /// handler, which it calls once its endpoint write has returned.
    /// </summary>
    public async Task ReleaseEndpointAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var stream = context.Features.Get<HeldEndpointStream>()
            ?? throw new InvalidOperationException("A legacy SSE session ran outside the announcer's GET /sse.");
        var id = stream.SessionId
            ?? throw new InvalidOperationException("The SDK ran the legacy session before writing its endpoint event.");
        stream.AnnouncedSessionId = id;
        local.Add(id, legacy: true);
        if (sessions is not null)
        {
            var caller = new McpCaller(HttpCallerAccessor.PrincipalOf(context), McpTransports.Sse, id, options.Value.InstanceId, null, null);
            try
            {
                await SessionRecords.StartAsync(sessions, caller, new SessionOrigin(null, SdkEndpoints.SessionUserOf(context.User)), stateOptions.Value, cancellationToken);
            }
            catch (StateUnavailableException ex)
            {
                // Nothing has gone out yet (the endpoint event is held): the stream is answered 503, and the client retries.
                LogNotStarted(id, ex.Message);
                throw;
            }
        }

        await stream.ReleaseAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Legacy session {SessionId} not started: it could not be recorded for the other replicas: {Reason}")]
    private partial void LogNotStarted(string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Legacy session {SessionId} ended but its record stays until it expires: {Reason}")]
    private partial void LogNotForgotten(string sessionId, string reason);

    /// <summary>
    /// Keeps what the SDK writes (its endpoint event) until <see cref="ReleaseAsync"/>; every write and flush before
    /// then completes at once, so the SDK's endpoint write has returned when it runs the session handler.
    /// </summary>
    private sealed partial class HeldEndpointStream(Stream inner) : WriteOnlyStream
    {
        private MemoryStream? _held = new();

        /// <summary>The session the held endpoint event names, once that event is whole.</summary>
        public string? SessionId
        {
            get
            {
                if (_held is null)
                {
                    return null;
                }

                var text = Encoding.UTF8.GetString(_held.GetBuffer(), 0, (int)_held.Length);
                return text.Contains("\n\n", StringComparison.Ordinal) && SessionIdPattern().Match(text) is { Success: true } match
                    ? Uri.UnescapeDataString(match.Groups[1].Value)
                    : null;
            }
        }

        /// <summary>The session recorded for this stream, to forget when it ends.</summary>
        public string? AnnouncedSessionId { get; set; }

        public async Task ReleaseAsync(CancellationToken cancellationToken)
        {
            var held = _held!;
            _held = null;
            await inner.WriteAsync(held.GetBuffer().AsMemory(0, (int)held.Length), cancellationToken);
            await inner.FlushAsync(cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_held is null)
            {
                return inner.WriteAsync(buffer, cancellationToken);
            }

            _held.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) =>
            _held is null ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

        public override void Flush() => FlushAsync().GetAwaiter().GetResult();

        [GeneratedRegex(@"[?&]sessionId=([^&\s]+)")]
        private static partial Regex SessionIdPattern();
    }
}
