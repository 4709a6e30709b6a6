// The resumability hooks are marked obsolete along with stateful Streamable HTTP (MCP9006); stateful sessions with
// resumable streams are what the SSE front-end serves to 2025-era clients, so it implements them.
#pragma warning disable MCP9006

using System.Net.ServerSentEvents;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Streams;

/// <summary>
/// Writes one stream's events to the log in Redis as the SDK sends them (<see cref="RedisEventStreamStore"/>). A request's
/// stream ends with its answer, so the answer and the stream's end are recorded together, in one round trip. The
/// priming event that opens a stream (no message, only an id to resume from) is held back for <see cref="HoldFirst"/>
/// and recorded with the next event when one comes sooner, so a quick call costs one round trip; a reader resuming from
/// it waits that long for the stream to appear.
/// </summary>
internal sealed partial class RedisEventStreamWriter(RedisEventStreamStore store, string sessionId, string streamId, SseEventStreamMode mode) : ISseEventStreamWriter
{
    /// <summary>How long a stream's priming event waits for company before it is recorded alone.</summary>
    internal static readonly TimeSpan HoldFirst = TimeSpan.FromMilliseconds(50);

    /// <summary>One write at a time, the held priming event's included; everything below is read and changed under it.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _sequence;
    private SseEventStreamMode _mode = mode;
    private bool _disposed;
    private bool _endRecorded;
    private (long Sequence, string Member)? _held;

    public async ValueTask SetModeAsync(SseEventStreamMode mode, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            _mode = mode;
            await store.AppendAsync(sessionId, streamId, _sequence, member: "", _mode, done: _endRecorded, TakeHeld());
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<SseItem<JsonRpcMessage?>> WriteEventAsync(SseItem<JsonRpcMessage?> sseItem, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (sseItem.EventId is not null)
        {
            return sseItem;
        }

        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            var sequence = ++_sequence;
            var item = sseItem with { EventId = EventStreamEventId.Format(sessionId, streamId, sequence) };
            var member = StoredStreamEvent.Serialize(sequence, item);
            if (sequence == 1 && item.Data is null)
            {
                _held = (sequence, member);
                _ = RecordHeldLaterAsync();
                return item;
            }

            var ends = AnswersThisStream(item.Data);
            try
            {
                await store.AppendAsync(sessionId, streamId, sequence, member, _mode, done: ends, TakeHeld());
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
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (_endRecorded)
            {
                return;
            }

            await store.AppendAsync(sessionId, streamId, _sequence, member: "", _mode, done: true, TakeHeld());
        }
        catch (StateUnavailableException ex)
        {
            // A reader resuming the stream would wait for its end while this replica lives: keep trying in the
            // background, as long as the stream can be resumed at all.
            LogCompletionNotRecorded(store.Logger, sessionId, streamId, ex.Message);
            _ = store.CompleteLaterAsync(sessionId, streamId, _sequence, _mode);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The held priming event, now to be recorded with the write that takes it.</summary>
    private (long Sequence, string Member)? TakeHeld()
    {
        var held = _held;
        _held = null;
        return held;
    }

    /// <summary>Records the priming event alone once <see cref="HoldFirst"/> has passed with nothing to record it with.</summary>
    private async Task RecordHeldLaterAsync()
    {
        await Task.Delay(HoldFirst);
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (TakeHeld() is { } held)
            {
                await store.AppendAsync(sessionId, streamId, held.Sequence, held.Member, _mode, done: false);
            }
        }
        catch (StateUnavailableException ex)
        {
            LogEventNotRecorded(store.Logger, sessionId, streamId, ex.Message);
        }
        finally
        {
            _gate.Release();
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

    // Debug: these follow from Redis being unreachable, which the shared breaker reports once, at Error, with its cause;
    // a line per event of every stream would bury it.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Event of stream {StreamId} of session {SessionId} sent but not recorded for resumption: {Reason}")]
    private static partial void LogEventNotRecorded(ILogger logger, string sessionId, string streamId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Completion of stream {StreamId} of session {SessionId} not recorded: {Reason}")]
    private static partial void LogCompletionNotRecorded(ILogger logger, string sessionId, string streamId, string reason);
}
