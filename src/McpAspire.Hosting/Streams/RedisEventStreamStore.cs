// The resumability hooks are marked obsolete along with stateful Streamable HTTP (MCP9006); stateful sessions with
// resumable streams are what the SSE front-end serves to 2025-era clients, so it implements them.
#pragma warning disable MCP9006

using System.Globalization;
using McpAspire.Hosting.Scaling;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using StackExchange.Redis;

namespace McpAspire.Hosting.Streams;

/// <summary>
/// The event log of Streamable HTTP streams in Redis, so a client resumes a stream on any replica with
/// <c>Last-Event-ID</c>. One sorted set per stream (score = sequence) and one metadata hash beside it, both in the
/// session's hash slot: writing an event is one script (one round trip), reading what is new is one script too.
/// A stream whose writer's replica is gone ends with an error for its request instead of waiting forever.
/// </summary>
internal sealed class RedisEventStreamStore(
    IConnectionMultiplexer redis,
    RedisResilience resilience,
    StateKeys keys,
    ReplicaPresence presence,
    IOptions<McpAspireStateOptions> options,
    ILogger<RedisEventStreamStore> logger) : ISseEventStreamStore
{
    /// <summary>The id of a session's standalone GET stream in the SDK: it answers no request.</summary>
    internal const string UnsolicitedStreamId = "__get__";

    /// <summary>KEYS: events, meta. ARGV: seq, member, heldSeq, held, max, ttl (ms), mode, done, owner.</summary>
    private const string AppendScript = """
        if ARGV[4] ~= '' then
          redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
        end
        if ARGV[2] ~= '' then
          redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
        end
        if ARGV[4] ~= '' or ARGV[2] ~= '' then
          redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -1 - tonumber(ARGV[5]))
          redis.call('PEXPIRE', KEYS[1], ARGV[6])
        end
        redis.call('HSET', KEYS[2], 'last', ARGV[1], 'mode', ARGV[7], 'done', ARGV[8], 'owner', ARGV[9])
        redis.call('PEXPIRE', KEYS[2], ARGV[6])
        return 1
        """;

    /// <summary>KEYS: events, meta. ARGV: the sequence to read after.</summary>
    private const string ReadScript = """
        return { redis.call('HGETALL', KEYS[2]), redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf') }
        """;

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
            await redis.GetDatabase().ScriptEvaluateAsync(AppendScript, [events, meta],
            [
                sequence,
                member,
                held?.Sequence ?? 0,
                held?.Member ?? "",
                settings.MaxEventsPerStream,
                (long)settings.EventStreamTtl.TotalMilliseconds,
                (int)mode,
                done ? 1 : 0,
                presence.InstanceId,
            ]);
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
            (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ReadScript, [events, meta], [after]))!, cancellationToken);
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
