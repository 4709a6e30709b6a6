using McpAspire.State.Resilience;
using McpAspire.Tools;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpAspire.State.Sessions;

/// <summary>One Redis hash per session, written by one script: created once, last-seen and owner on every touch, TTL renewed.</summary>
internal sealed class RedisSessionStore(
    IConnectionMultiplexer redis,
    RedisResilience resilience,
    RedisKeys keys,
    IOptions<McpAspireStateOptions> options,
    TimeProvider timeProvider) : ISessionStore
{
    private static readonly LuaScript TouchScript = LuaScript.Prepare("""
        redis.call('HSETNX', @key, 'createdAt', @now)
        redis.call('HSET', @key, 'owner', @owner, 'transport', @transport, 'principal', @principal,
          'protocolVersion', @protocolVersion, 'clientName', @clientName, 'lastSeenAt', @now)
        redis.call('PEXPIRE', @key, @ttl)
        return 1
        """);

    private static readonly LuaScript StartScript = LuaScript.Prepare("""
        redis.call('DEL', @key)
        redis.call('HSET', @key, 'createdAt', @now, 'owner', @owner, 'transport', @transport, 'principal', @principal,
          'protocolVersion', @protocolVersion, 'clientName', @clientName, 'lastSeenAt', @now,
          'init', @init, 'userType', @userType, 'userValue', @userValue, 'userIssuer', @userIssuer, 'started', '1')
        redis.call('PEXPIRE', @key, @ttl)
        return 1
        """);

    /// <summary>The key a caller's session is stored under; a stateless caller has no session id, so its identity names it.</summary>
    public static string SessionIdOf(McpCaller caller) =>
        caller.SessionId ?? $"{caller.Transport}-{caller.Principal}-{caller.ClientName ?? "unnamed"}";

    public Task TouchAsync(McpCaller caller, CancellationToken cancellationToken) =>
        resilience.WriteAsync("Recording the session", async _ =>
        {
            await redis.GetDatabase().ScriptEvaluateAsync(TouchScript, new
            {
                key = keys.Session(SessionIdOf(caller)),
                now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
                owner = caller.InstanceId,
                transport = caller.Transport,
                principal = caller.Principal,
                protocolVersion = caller.ProtocolVersion ?? "",
                clientName = caller.ClientName ?? "",
                ttl = (long)options.Value.SessionTtl.TotalMilliseconds,
            });
            return true;
        }, cancellationToken).AsTask();

    public Task StartAsync(McpCaller caller, SessionOrigin origin, CancellationToken cancellationToken) =>
        resilience.WriteAsync("Recording the session", async _ =>
        {
            await redis.GetDatabase().ScriptEvaluateAsync(StartScript, new
            {
                key = keys.Session(SessionIdOf(caller)),
                now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
                owner = caller.InstanceId,
                transport = caller.Transport,
                principal = caller.Principal,
                protocolVersion = caller.ProtocolVersion ?? "",
                clientName = caller.ClientName ?? "",
                init = origin.InitializeParamsJson ?? "",
                userType = origin.User?.ClaimType ?? "",
                userValue = origin.User?.Value ?? "",
                userIssuer = origin.User?.Issuer ?? "",
                ttl = (long)options.Value.SessionTtl.TotalMilliseconds,
            });
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
