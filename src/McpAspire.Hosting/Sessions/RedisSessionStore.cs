using System.Collections.Concurrent;
using McpAspire.Abstractions;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpAspire.Hosting.Sessions;

/// <summary>One Redis hash per session, written by one script: created once (or started afresh with its origin), last-seen and owner on every touch, TTL renewed.</summary>
internal sealed class RedisSessionStore(
    IConnectionMultiplexer redis,
    RedisResilience resilience,
    StateKeys keys,
    IOptions<McpAspireStateOptions> options,
    TimeProvider timeProvider) : ISessionStore
{
    /// <summary>
    /// A touch, or with <c>start</c> = 1 a fresh record that also keeps how the session began. KEYS: the session.
    /// ARGV: now (ms), owner, transport, principal, protocolVersion, clientName, start, init, userType, userValue,
    /// userIssuer, ttl (ms).
    /// </summary>
    private const string RecordScript = """
        if ARGV[7] == '1' then redis.call('DEL', KEYS[1]) end
        redis.call('HSETNX', KEYS[1], 'createdAt', ARGV[1])
        redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'transport', ARGV[3], 'principal', ARGV[4],
          'protocolVersion', ARGV[5], 'clientName', ARGV[6], 'lastSeenAt', ARGV[1])
        if ARGV[7] == '1' then
          redis.call('HSET', KEYS[1], 'init', ARGV[8], 'userType', ARGV[9], 'userValue', ARGV[10], 'userIssuer', ARGV[11], 'started', '1')
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[12])
        return 1
        """;

    /// <summary>The key a caller's session is stored under; a stateless caller has no session id, so its identity names it.</summary>
    public static string SessionIdOf(McpCaller caller) =>
        caller.SessionId ?? $"{caller.Transport}-{caller.Principal}-{caller.ClientName ?? "unnamed"}";

    /// <summary>When this replica last recorded each session (and as whom), to skip touches within <c>SessionTouchInterval</c>.</summary>
    private readonly ConcurrentDictionary<(string Session, string Instance, string Principal), long> _touched = new();

    public Task TouchAsync(McpCaller caller, CancellationToken cancellationToken)
    {
        var interval = options.Value.SessionTouchInterval;
        if (interval > TimeSpan.Zero)
        {
            var key = (SessionIdOf(caller), caller.InstanceId, caller.Principal);
            var now = timeProvider.GetTimestamp();
            if (_touched.TryGetValue(key, out var last) && timeProvider.GetElapsedTime(last, now) < interval)
            {
                return Task.CompletedTask;
            }

            _touched[key] = now;
            if (_touched.Count > MaxRemembered)
            {
                Forget(now, interval);
            }
        }

        return RecordAsync(caller, null, cancellationToken);
    }

    public Task StartAsync(McpCaller caller, SessionOrigin origin, CancellationToken cancellationToken) => RecordAsync(caller, origin, cancellationToken);

    private const int MaxRemembered = 100_000;

    /// <summary>Drops what is older than the interval: those sessions are recorded again on their next request anyway.</summary>
    private void Forget(long now, TimeSpan interval)
    {
        foreach (var (key, at) in _touched)
        {
            if (timeProvider.GetElapsedTime(at, now) >= interval)
            {
                _touched.TryRemove(key, out _);
            }
        }
    }

    private Task<bool> RecordAsync(McpCaller caller, SessionOrigin? origin, CancellationToken cancellationToken) =>
        resilience.WriteAsync("Recording the session", async _ =>
        {
            await redis.GetDatabase().ScriptEvaluateAsync(RecordScript, [keys.Session(SessionIdOf(caller))],
            [
                timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
                caller.InstanceId,
                caller.Transport,
                caller.Principal,
                caller.ProtocolVersion ?? "",
                caller.ClientName ?? "",
                origin is null ? "0" : "1",
                origin?.InitializeParamsJson ?? "",
                origin?.User?.ClaimType ?? "",
                origin?.User?.Value ?? "",
                origin?.User?.Issuer ?? "",
                (long)options.Value.SessionTtl.TotalMilliseconds,
            ]);
            return true;
        }, cancellationToken).AsTask();

    public Task DeleteAsync(string sessionId, CancellationToken cancellationToken) =>
        resilience.WriteAsync("Ending the session", async _ => await redis.GetDatabase().KeyDeleteAsync(keys.Session(sessionId)), cancellationToken).AsTask();

    public Task<SessionRecord?> GetAsync(string sessionId, CancellationToken cancellationToken) =>
        resilience.ReadAsync<SessionRecord?>("Reading the session", async _ =>
        {
            var fields = (await redis.GetDatabase().HashGetAllAsync(keys.Session(sessionId))).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
            if (fields.Count == 0)
            {
                return null;
            }

            return new SessionRecord(
                sessionId,
                fields["owner"],
                fields["transport"],
                fields["principal"],
                NullIfEmpty(fields["protocolVersion"]),
                NullIfEmpty(fields["clientName"]),
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(fields["createdAt"], System.Globalization.CultureInfo.InvariantCulture)),
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(fields["lastSeenAt"], System.Globalization.CultureInfo.InvariantCulture)))
            {
                Origin = fields.ContainsKey("started")
                    ? new SessionOrigin(
                        NullIfEmpty(fields["init"]),
                        NullIfEmpty(fields["userValue"]) is { } value ? new SessionUser(fields["userType"], value, fields["userIssuer"]) : null)
                    : null,
            };
        }, cancellationToken).AsTask();

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
