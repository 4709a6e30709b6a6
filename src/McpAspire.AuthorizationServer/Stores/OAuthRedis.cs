using System.Security.Cryptography;
using System.Text;
using McpAspire.State;
using OpenIddict.Abstractions;
using StackExchange.Redis;

namespace McpAspire.AuthorizationServer.Stores;

/// <summary>
/// How the stores keep OpenIddict's entities in Redis. An entity is a hash (<c>doc</c>: its JSON, <c>ver</c>: its
/// concurrency token) with a TTL, so nothing outlives its use; lookups by another value are pointer keys and sets kept
/// at least as long as what they point to. Every key carries the one hash tag <c>{oauth}</c>: each change is one script
/// over keys in one slot, on a single Redis or a Cluster alike.
/// </summary>
internal sealed class OAuthRedis(SharedRedis redis)
{
    /// <summary>Writes an entity and its related keys if it is new (create) or still at the version the caller read (update).</summary>
    private static readonly string SaveScript = """
        if ARGV[6] == 'create' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        if ARGV[6] == 'update' and redis.call('HGET', KEYS[1], 'ver') ~= ARGV[7] then return 0 end
        redis.call('HSET', KEYS[1], 'doc', ARGV[1], 'ver', ARGV[2])
        local ttl = tonumber(ARGV[3])
        if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
        for i = 2, #KEYS do
          local role = string.sub(ARGV[4], i - 1, i - 1)
          if role == 'p' then redis.call('SET', KEYS[i], ARGV[5]) elseif role == 's' then redis.call('SADD', KEYS[i], ARGV[5]) end
          local left = redis.call('PTTL', KEYS[i])
          if ttl > 0 and left ~= -2 and (left == -1 or left < ttl) then redis.call('PEXPIRE', KEYS[i], ttl) end
        end
        return 1
        """;

    /// <summary>Deletes an entity, the pointers to it and its membership of sets.</summary>
    private static readonly string DeleteScript = """
        redis.call('DEL', KEYS[1])
        for i = 2, #KEYS do
          local role = string.sub(ARGV[1], i - 1, i - 1)
          if role == 'p' then redis.call('DEL', KEYS[i]) elseif role == 's' then redis.call('SREM', KEYS[i], ARGV[2]) end
        end
        return 1
        """;

    private const string Tag = "oauth";

    public RedisKey Key(string kind, string id) => redis.Key($"oauth:{kind}:{id}", Tag);

    /// <summary>A fixed-length key part for a value of any length or alphabet (a client id that is a URL, a subject).</summary>
    public static string Digest(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    public static string NewVersion() => Guid.NewGuid().ToString("N");

    public Task<string?> GetAsync(RedisKey entity, CancellationToken cancellationToken) =>
        redis.ReadAsync("Reading the authorization server's records", async db => (string?)await db.HashGetAsync(entity, "doc"), cancellationToken);

    public Task<string?> GetPointerAsync(RedisKey pointer, CancellationToken cancellationToken) =>
        redis.ReadAsync("Reading the authorization server's records", async db => (string?)await db.StringGetAsync(pointer), cancellationToken);

    public async Task<IReadOnlyList<string>> GetMembersAsync(RedisKey set, Func<string, RedisKey> entity, CancellationToken cancellationToken) =>
        await redis.ReadAsync("Reading the authorization server's records", async db =>
        {
            var members = await db.SetMembersAsync(set);
            var docs = await Task.WhenAll(members.Select(member => db.HashGetAsync(entity(member!), "doc")));
            return docs.Where(doc => doc.HasValue).Select(doc => (string)doc!).ToList();
        }, cancellationToken);

    /// <summary>
    /// Creates (<paramref name="expectedVersion"/> null) or updates an entity; <paramref name="ttl"/> null keeps the entity's
    /// current TTL. An update of an entity changed or deleted since it was read throws OpenIddict's concurrency exception,
    /// which its managers turn into "not redeemed", "not revoked": two replicas never both redeem one code.
    /// </summary>
    public async Task SaveAsync(RedisKey entity, string id, string doc, string version, string? expectedVersion, TimeSpan? ttl,
        IReadOnlyList<(RedisKey Key, char Role)> related, CancellationToken cancellationToken)
    {
        var saved = await redis.WriteAsync("Saving the authorization server's records", async db => (int)await db.ScriptEvaluateAsync(
            SaveScript,
            [entity, .. related.Select(r => r.Key)],
            [doc, version, (long)(ttl?.TotalMilliseconds ?? 0), new string([.. related.Select(r => r.Role)]), id,
                expectedVersion is null ? "create" : "update", expectedVersion ?? ""]), cancellationToken);
        if (saved == 0)
        {
            throw new OpenIddictExceptions.ConcurrencyException(expectedVersion is null
                ? $"A record with the id '{id}' already exists."
                : $"The record '{id}' was changed or removed since it was read.");
        }
    }

    public Task DeleteAsync(RedisKey entity, string id, IReadOnlyList<(RedisKey Key, char Role)> related, CancellationToken cancellationToken) =>
        redis.WriteAsync("Deleting the authorization server's records", db => db.ScriptEvaluateAsync(
            DeleteScript,
            [entity, .. related.Select(r => r.Key)],
            [new string([.. related.Select(r => r.Role)]), id]), cancellationToken);

    /// <summary>Roles of related keys in a save or delete.</summary>
    public const char Pointer = 'p';
    public const char Member = 's';
    public const char Outlive = 'x';
}
