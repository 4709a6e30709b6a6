// The resumability hooks are marked obsolete along with stateful Streamable HTTP (MCP9006); stateful sessions with
// resumable streams are what the SSE front-end serves to 2025-era clients, so it implements them.
#pragma warning disable MCP9006

using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using McpAspire.Hosting.Scaling;
using McpAspire.State;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Streams;

/// <summary>Replays a stream from the log in Redis after an event id, on any replica, until it ends or its writer is gone (<see cref="RedisEventStreamStore"/>).</summary>
internal sealed partial class RedisEventStreamReader(RedisEventStreamStore store, string sessionId, string streamId, long after) : ISseEventStreamReader
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LastPoll = TimeSpan.FromMilliseconds(500);

    public string SessionId => sessionId;

    public string StreamId => streamId;

    public async IAsyncEnumerable<SseItem<JsonRpcMessage?>> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = after + 1;
        var poll = FirstPoll;
        var ownerCheckedAt = DateTimeOffset.MinValue;
        while (true)
        {
            var snapshot = await store.ReadAsync(sessionId, streamId, next - 1, cancellationToken);
            if (snapshot.Meta is not { } meta)
            {
                throw new McpException($"The stream '{streamId}' of session '{sessionId}' expired while it was being resumed.");
            }

            foreach (var member in snapshot.Members)
            {
                var (sequence, item) = StoredStreamEvent.Deserialize(member);
                if (sequence != next)
                {
                    throw new McpException($"Events {next} to {sequence - 1} of stream '{streamId}' are no longer kept; the stream cannot be resumed from there.");
                }

                next++;
                yield return item;
            }

            if (meta.Mode == SseEventStreamMode.Polling || (meta.Done && next > meta.Last))
            {
                yield break;
            }

            if (meta.Done)
            {
                // Done, with events up to meta.Last that were never stored (Redis was unreachable as they were
                // sent): waiting would be forever, so the request is told what happened.
                LogEventsLost(store.Logger, sessionId, streamId, next, meta.Last);
                if (streamId != RedisEventStreamStore.UnsolicitedStreamId)
                {
                    yield return Lost(streamId);
                }

                yield break;
            }

            if (snapshot.Members.Length > 0)
            {
                poll = FirstPoll;
                continue;
            }

            // Nothing new: is anyone still writing? A replica that crashed never completes its streams.
            if (DateTimeOffset.UtcNow - ownerCheckedAt > LastPoll)
            {
                ownerCheckedAt = DateTimeOffset.UtcNow;
                if (await store.Presence.StateOfAsync(meta.Owner, cancellationToken) is ReplicaState.Gone)
                {
                    LogWriterGone(store.Logger, sessionId, streamId, meta.Owner);
                    if (streamId != RedisEventStreamStore.UnsolicitedStreamId)
                    {
                        yield return Interrupted(streamId, meta.Owner);
                    }

                    yield break;
                }
            }

            await Task.Delay(poll, cancellationToken);
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, LastPoll.Ticks));
        }
    }

    /// <summary>The answer to a request whose replica died before answering: an error the client can act on.</summary>
    private static SseItem<JsonRpcMessage?> Interrupted(string requestId, string owner) =>
        ErrorFor(requestId, $"The request was interrupted: the replica serving it ({owner}) stopped before answering. Send it again.");

    /// <summary>The answer to a request whose answer was sent while Redis was unreachable, so it cannot be replayed.</summary>
    private static SseItem<JsonRpcMessage?> Lost(string requestId) =>
        ErrorFor(requestId, "The answer to this request was sent while the shared state store (Redis) was unreachable and cannot be replayed. Send it again.");

    private static SseItem<JsonRpcMessage?> ErrorFor(string requestId, string message) =>
        new(new JsonRpcError
        {
            Id = long.TryParse(requestId, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? new RequestId(number) : new RequestId(requestId),
            Error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.InternalError, Message = message },
        }, SseParser.EventTypeDefault);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId} of session {SessionId} resumed without events {From} to {Last}: they were sent while Redis was unreachable")]
    private static partial void LogEventsLost(ILogger logger, string sessionId, string streamId, long from, long last);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId} of session {SessionId} ended unfinished: its replica {Owner} is gone")]
    private static partial void LogWriterGone(ILogger logger, string sessionId, string streamId, string owner);
}
