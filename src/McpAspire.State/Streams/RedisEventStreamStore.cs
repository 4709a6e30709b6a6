// The resumability hooks are marked obsolete along with stateful Streamable HTTP (MCP9006); stateful sessions with
// resumable streams are what the SSE front-end serves to 2025-era clients, so it implements them.
#pragma warning disable MCP9006

using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using McpAspire.State.Replicas;
using McpAspire.State.Resilience;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using StackExchange.Redis;

namespace McpAspire.State.Streams;

/// <summary>
/// The event log of Streamable HTTP streams in Redis, so a client resumes a stream on any replica with
/// <c>Last-Event-ID</c>. One sorted set per stream (score = sequence) and one metadata hash beside it, both in the
/// session's hash slot: writing an event is one script (one round trip), reading what is new is one script too.
/// A stream whose writer's replica is gone ends with an error for its request instead of waiting forever.
/// </summary>
internal sealed partial class RedisEventStreamStore(
    IConnectionMultiplexer redis,
    RedisResilience resilience,
    RedisKeys keys,
    ReplicaPresence presence,
    IOptions<McpAspireStateOptions> options,
    ILogger<RedisEventStreamStore> logger) : ISseEventStreamStore
{
    /// <summary>The id of a session's standalone GET stream in the SDK: it answers no request.</summary>
    private const string UnsolicitedStreamId = "__get__";

    private static readonly LuaScript AppendScript = LuaScript.Prepare("""
        if @member ~= '' then
          redis.call('ZADD', @events, @seq, @member)
          redis.call('ZREMRANGEBYRANK', @events, 0, -1 - tonumber(@max))
          redis.call('PEXPIRE', @events, @ttl)
        end
        redis.call('HSET', @meta, 'last', @seq, 'mode', @mode, 'done', @done, 'owner', @owner)
        redis.call('PEXPIRE', @meta, @ttl)
        return 1
        """);

    private static readonly LuaScript ReadScript = LuaScript.Prepare("""
        return { redis.call('HGETALL', @meta), redis.call('ZRANGEBYSCORE', @events, '(' .. @after, '+inf') }
        """);

    public ValueTask<ISseEventStreamWriter> CreateStreamAsync(SseEventStreamOptions options, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<ISseEventStreamWriter>(new Writer(this, options.SessionId, options.StreamId, options.Mode));

    private ILogger Logger => logger;

    private ReplicaPresence Presence => presence;

    public async ValueTask<ISseEventStreamReader?> GetStreamReaderAsync(string lastEventId, CancellationToken cancellationToken = default)
    {
        if (!EventId.TryParse(lastEventId, out var sessionId, out var streamId, out var sequence))
        {
            return null;
        }

        var snapshot = await ReadAsync(sessionId, streamId, sequence, cancellationToken);
        return snapshot.Meta is null ? null : new Reader(this, sessionId, streamId, sequence);
    }

    private async Task AppendAsync(string sessionId, string streamId, long sequence, string member, SseEventStreamMode mode, bool done)
    {
        var (events, meta) = keys.EventStream(sessionId, EventId.Encode(streamId));
        var settings = options.Value;
        await resilience.WriteAsync("Recording a stream event", async _ =>
        {
            await redis.GetDatabase().ScriptEvaluateAsync(AppendScript, new
            {
                events,
                meta,
                seq = sequence,
                member,
                max = settings.MaxEventsPerStream,
                ttl = (long)settings.EventStreamTtl.TotalMilliseconds,
                mode = (int)mode,
                done = done ? 1 : 0,
                owner = presence.InstanceId,
            });
            return true;
        }, CancellationToken.None);
    }

    /// <summary>Records a stream's end once Redis answers again; gives up when the stream could no longer be resumed anyway.</summary>
    private async Task CompleteLaterAsync(string sessionId, string streamId, long sequence, SseEventStreamMode mode)
    {
        var deadline = DateTimeOffset.UtcNow + options.Value.EventStreamTtl;
        for (var delay = TimeSpan.FromMilliseconds(250); DateTimeOffset.UtcNow < deadline; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks)))
        {
            await Task.Delay(delay);
            try
            {
                await AppendAsync(sessionId, streamId, sequence, member: "", mode, done: true);
                return;
            }
            catch (StateUnavailableException)
            {
                // Still unreachable.
            }
        }
    }

    private async Task<Snapshot> ReadAsync(string sessionId, string streamId, long after, CancellationToken cancellationToken)
    {
        var (events, meta) = keys.EventStream(sessionId, EventId.Encode(streamId));
        var result = await resilience.ReadAsync("Reading a stream", async _ =>
            (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ReadScript, new { events, meta, after }))!, cancellationToken);
        var fields = (RedisResult[])result[0]!;
        if (fields.Length == 0)
        {
            return new Snapshot(null, []);
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            map[(string)fields[i]!] = (string)fields[i + 1]!;
        }

        var metadata = new StreamMeta(
            long.Parse(map["last"], CultureInfo.InvariantCulture),
            (SseEventStreamMode)int.Parse(map["mode"], CultureInfo.InvariantCulture),
            map["done"] == "1",
            map["owner"]);
        return new Snapshot(metadata, [.. ((RedisResult[])result[1]!).Select(r => (string)r!)]);
    }

    private sealed record StreamMeta(long Last, SseEventStreamMode Mode, bool Done, string Owner);

    private sealed record Snapshot(StreamMeta? Meta, string[] Members);

    private sealed class Writer(RedisEventStreamStore store, string sessionId, string streamId, SseEventStreamMode mode) : ISseEventStreamWriter
    {
        private long _sequence;
        private SseEventStreamMode _mode = mode;
        private bool _disposed;

        public async ValueTask SetModeAsync(SseEventStreamMode mode, CancellationToken cancellationToken = default)
        {
            _mode = mode;
            await store.AppendAsync(sessionId, streamId, Interlocked.Read(ref _sequence), member: "", _mode, done: false);
        }

        public async ValueTask<SseItem<JsonRpcMessage?>> WriteEventAsync(SseItem<JsonRpcMessage?> sseItem, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (sseItem.EventId is not null)
            {
                return sseItem;
            }

            var sequence = Interlocked.Increment(ref _sequence);
            var item = sseItem with { EventId = EventId.Format(sessionId, streamId, sequence) };
            try
            {
                await store.AppendAsync(sessionId, streamId, sequence, StoredEvent.Serialize(sequence, item), _mode, done: false);
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
    }

    private sealed class Reader(RedisEventStreamStore store, string sessionId, string streamId, long after) : ISseEventStreamReader
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
                    var (sequence, item) = StoredEvent.Deserialize(member);
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
                    if (streamId != UnsolicitedStreamId)
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
                        if (streamId != UnsolicitedStreamId)
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
    }

    /// <summary>Event ids name their stream, so any replica can find it: <c>{session}.{stream}.{sequence}</c>, base64url parts.</summary>
    internal static class EventId
    {
        public static string Format(string sessionId, string streamId, long sequence) =>
            string.Create(CultureInfo.InvariantCulture, $"{Encode(sessionId)}.{Encode(streamId)}.{sequence}");

        public static string Encode(string value) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(value));

        public static bool TryParse(string eventId, out string sessionId, out string streamId, out long sequence)
        {
            sessionId = streamId = "";
            sequence = 0;
            var parts = eventId.Split('.');
            if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out sequence))
            {
                return false;
            }

            try
            {
                sessionId = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[0]));
                streamId = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[1]));
                return sessionId.Length > 0 && streamId.Length > 0;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }

    /// <summary>One stored event: <c>{sequence} {json}</c>, the sequence first so equal messages stay distinct members.</summary>
    internal static class StoredEvent
    {
        private static readonly JsonSerializerOptions Json = McpJsonUtilities.DefaultOptions;

        public static string Serialize(long sequence, SseItem<JsonRpcMessage?> item)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("type", item.EventType);
                writer.WriteString("id", item.EventId);
                if (item.ReconnectionInterval is { } retry)
                {
                    writer.WriteNumber("retryMs", (long)retry.TotalMilliseconds);
                }

                if (item.Data is { } data)
                {
                    writer.WritePropertyName("data");
                    JsonSerializer.Serialize(writer, data, Json.GetTypeInfo(typeof(JsonRpcMessage)));
                }

                writer.WriteEndObject();
            }

            return string.Create(CultureInfo.InvariantCulture, $"{sequence} {Encoding.UTF8.GetString(buffer.WrittenSpan)}");
        }

        public static (long Sequence, SseItem<JsonRpcMessage?> Item) Deserialize(string member)
        {
            var space = member.IndexOf(' ', StringComparison.Ordinal);
            var sequence = long.Parse(member.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture);
            using var document = JsonDocument.Parse(member.AsMemory(space + 1));
            var root = document.RootElement;
            var data = root.TryGetProperty("data", out var element)
                ? (JsonRpcMessage?)element.Deserialize(Json.GetTypeInfo(typeof(JsonRpcMessage)))
                : null;
            return (sequence, new SseItem<JsonRpcMessage?>(data, root.GetProperty("type").GetString())
            {
                EventId = root.GetProperty("id").GetString(),
                ReconnectionInterval = root.TryGetProperty("retryMs", out var retry) ? TimeSpan.FromMilliseconds(retry.GetInt64()) : null,
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event of stream {StreamId} of session {SessionId} sent but not recorded for resumption: {Reason}")]
    private static partial void LogEventNotRecorded(ILogger logger, string sessionId, string streamId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Completion of stream {StreamId} of session {SessionId} not recorded: {Reason}")]
    private static partial void LogCompletionNotRecorded(ILogger logger, string sessionId, string streamId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId} of session {SessionId} resumed without events {From} to {Last}: they were sent while Redis was unreachable")]
    private static partial void LogEventsLost(ILogger logger, string sessionId, string streamId, long from, long last);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId} of session {SessionId} ended unfinished: its replica {Owner} is gone")]
    private static partial void LogWriterGone(ILogger logger, string sessionId, string streamId, string owner);
}
