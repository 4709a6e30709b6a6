// The resumability hooks are marked obsolete along with stateful Streamable HTTP (MCP9006); stateful sessions with
// resumable streams are what the SSE front-end serves to 2025-era clients, so it implements them.
#pragma warning disable MCP9006

using System.Net.ServerSentEvents;
using McpAspire.State.Resilience;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.State.Streams;

/// <summary>
/// Writes one stream's events to the log in Redis as the SDK sends them (<see cref="RedisEventStreamStore"/>). A request's
/// stream ends with its answer, so the answer and the stream's end are recorded together, in one round trip.
/// </summary>
internal sealed partial class RedisEventStreamWriter(RedisEventStreamStore store, string sessionId, string streamId, SseEventStreamMode mode) : ISseEventStreamWriter
{
    private long _sequence;
    private SseEventStreamMode _mode = mode;
    private bool _disposed;
    private bool _endRecorded;

    public async ValueTask SetModeAsync(SseEventStreamMode mode, CancellationToken cancellationToken = default)
    {
        _mode = mode;
        await store.AppendAsync(sessionId, streamId, Interlocked.Read(ref _sequence), member: "", _mode, done: _endRecorded);
    }

    public async ValueTask<SseItem<JsonRpcMessage?>> WriteEventAsync(SseItem<JsonRpcMessage?> sseItem, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (sseItem.EventId is not null)
        {
            return sseItem;
        }

        var sequence = Interlocked.Increment(ref _sequence);
        var item = sseItem with { EventId = EventStreamEventId.Format(sessionId, streamId, sequence) };
        var ends = AnswersThisStream(item.Data);
        try
        {
            await store.AppendAsync(sessionId, streamId, sequence, StoredStreamEvent.Serialize(sequence, item), _mode, done: ends);
            _endRecorded |= ends;
            return item;
        }
        catch (StateUnavailableException ex)
        {
            // The message still goes out on the open stream; it just cannot be replayed. Without an id the client
            // resumes from the last stored event, and a gap there is reported rather than papered over.
            LogEventNotRecorded(store.Logger, sessionId, streamId, ex.Message);
            return sseItem;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_endRecorded)
        {
            return;
        }

        try
        {
            await store.AppendAsync(sessionId, streamId, Interlocked.Read(ref _sequence), member: "", _mode, done: true);
        }
        catch (StateUnavailableException ex)
        {
            // A reader resuming the stream would wait for its end while this replica lives: keep trying in the
            // background, as long as the stream can be resumed at all.
            LogCompletionNotRecorded(store.Logger, sessionId, streamId, ex.Message);
            _ = store.CompleteLaterAsync(sessionId, streamId, Interlocked.Read(ref _sequence), _mode);
        }
    }

    /// <summary>
    /// The answer to the request a stream is named after: the SDK sends nothing more on that stream (later messages go
    /// to the session's GET stream), so the stream is complete with it.
    /// </summary>
    private bool AnswersThisStream(JsonRpcMessage? message) =>
        streamId != RedisEventStreamStore.UnsolicitedStreamId &&
        message is JsonRpcResponse or JsonRpcError &&
        ((JsonRpcMessageWithId)message).Id.ToString() == streamId;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event of stream {StreamId} of session {SessionId} sent but not recorded for resumption: {Reason}")]
    private static partial void LogEventNotRecorded(ILogger logger, string sessionId, string streamId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Completion of stream {StreamId} of session {SessionId} not recorded: {Reason}")]
    private static partial void LogCompletionNotRecorded(ILogger logger, string sessionId, string streamId, string reason);
}
