// The resumability hooks are marked obsolete along with stateful Streamable HTTP (MCP9006); stateful sessions with
// resumable streams are what the SSE front-end serves to 2025-era clients, so it implements them.
#pragma warning disable MCP9006

using System.Globalization;
using McpAspire.State.Replicas;
using McpAspire.State.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using StackExchange.Redis;

namespace McpAspire.State.Streams;

/// <summary>
/// The event log of Streamable HTTP streams in Redis, so a client resumes a stream on any replica with
/// <c>Last-Event-ID</c>. One sorted set per stream (score = sequence) and one metadata hash beside it, both in the
/// session's hash slot: writing an event is one script (one round trip), reading what is new is one script too.
/// A stream whose writer's replica is gone ends with an error for its request instead of waiting forever.
/// </summary>
internal sealed class RedisEventStreamStore(
    IConnectionMultiplexer redis,
    RedisResilience resilience,
    RedisKeys keys,
    ReplicaPresence presence,
    IOptions<McpAspireStateOptions> options,
    ILogger<RedisEventStreamStore> logger) : ISseEventStreamStore
{
    /// <summary>The id of a session's standalone GET stream in the SDK: it answers no request.</summary>
    internal const string UnsolicitedStreamId = "__get__";

    private static readonly LuaScript AppendScript = LuaScript.Prepare("""
        if @held ~= '' then
          redis.call('ZADD', @events, @heldSeq, @held)
        end
        if @member ~= '' then
          redis.call('ZADD', @events, @seq, @member)
        end
        if @held ~= '' or @member ~= '' then
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
        ValueTask.FromResult<ISseEventStreamWriter>(new RedisEventStreamWriter(this, options.SessionId, options.StreamId, options.Mode));

    internal ILogger Logger => logger;

    internal ReplicaPresence Presence => presence;

    public async ValueTask<ISseEventStreamReader?> GetStreamReaderAsync(string lastEventId, CancellationToken cancellationToken = default)
    {
        if (!EventStreamEventId.TryParse(lastEventId, out var sessionId, out var streamId, out var sequence))
        {
            return null;
        }

        var snapshot = await ReadAsync(sessionId, streamId, sequence, cancellationToken);
        if (snapshot.Meta is null && sequence == 1)
        {
            // A stream's priming event goes out before it is written (RedisEventStreamWriter.HoldFirst), so a stream
            // resumed from it may not be in Redis yet: it is there within the hold and one operation timeout, or never.
            var deadline = DateTimeOffset.UtcNow + RedisEventStreamWriter.HoldFirst + options.Value.OperationTimeout;
            while (snapshot.Meta is null && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(RedisEventStreamWriter.HoldFirst, cancellationToken);
                snapshot = await ReadAsync(sessionId, streamId, sequence, cancellationToken);
            }
        }

        return snapshot.Meta is null ? null : new RedisEventStreamReader(this, sessionId, streamId, sequence);
    }

    /// <summary>
    /// Records <paramref name="member"/> (none when empty) and the stream's state in one script; <paramref name="held"/>,
    /// an earlier event not yet recorded, goes in before it.
    /// </summary>
    internal async Task AppendAsync(string sessionId, string streamId, long sequence, string member, SseEventStreamMode mode, bool done,
        (long Sequence, string Member)? held = null)
    {
        var (events, meta) = keys.EventStream(sessionId, EventStreamEventId.Encode(streamId));
        var settings = options.Value;
        await resilience.WriteAsync("Recording a stream event", async _ =>
        {
            await redis.GetDatabase().ScriptEvaluateAsync(AppendScript, new
            {
                events,
                meta,
                seq = sequence,
                member,
                heldSeq = held?.Sequence ?? 0,
                held = held?.Member ?? "",
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
    internal async Task CompleteLaterAsync(string sessionId, string streamId, long sequence, SseEventStreamMode mode)
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

    internal async Task<EventStreamSnapshot> ReadAsync(string sessionId, string streamId, long after, CancellationToken cancellationToken)
    {
        var (events, meta) = keys.EventStream(sessionId, EventStreamEventId.Encode(streamId));
        var result = await resilience.ReadAsync("Reading a stream", async _ =>
            (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ReadScript, new { events, meta, after }))!, cancellationToken);
        var fields = (RedisResult[])result[0]!;
        if (fields.Length == 0)
        {
            return new EventStreamSnapshot(null, []);
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            map[(string)fields[i]!] = (string)fields[i + 1]!;
        }

        var metadata = new EventStreamMeta(
            long.Parse(map["last"], CultureInfo.InvariantCulture),
            (SseEventStreamMode)int.Parse(map["mode"], CultureInfo.InvariantCulture),
            map["done"] == "1",
            map["owner"]);
        return new EventStreamSnapshot(metadata, [.. ((RedisResult[])result[1]!).Select(r => (string)r!)]);
    }
}
