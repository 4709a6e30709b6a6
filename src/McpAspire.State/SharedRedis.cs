using McpAspire.State.Resilience;
using StackExchange.Redis;

namespace McpAspire.State;

/// <summary>
/// The deployment's Redis as a tool set keeps its own data there: keys in the deployment's namespace, and every call
/// through the resilience pipeline the rest of the state uses (a timeout and a shared circuit breaker; retries for reads
/// only). Registered by <c>AddMcpAspireState</c> where <c>ConnectionStrings:{name}</c> is set, and not otherwise, so a
/// tool set can fall back to memory when it is absent.
/// </summary>
public sealed class SharedRedis
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly RedisResilience _resilience;

    internal SharedRedis(IConnectionMultiplexer redis, RedisKeys keys, RedisResilience resilience)
    {
        _redis = redis;
        _keys = keys;
        _resilience = resilience;
    }

    /// <summary>The Redis database, for commands this type has no helper for; keys still go through <see cref="Key(string, string)"/>.</summary>
    public IDatabase Database => _redis.GetDatabase();

    /// <summary>
    /// <c>{prefix}:{collection}:{owner}</c>, with <paramref name="owner"/> as its hash tag: every key of one owner is in one
    /// slot, so a script over them runs on Redis Cluster too.
    /// </summary>
    public RedisKey Key(string collection, string owner) => _keys.Owned(collection, owner);

    /// <summary>
    /// Runs a write once, never retried: it completes, or throws a <see cref="StateUnavailableException"/> whose message
    /// says whether the change may still be applied (<paramref name="operation"/> names it for the caller, e.g. "Saving orders").
    /// </summary>
    public async Task<T> WriteAsync<T>(string operation, Func<IDatabase, Task<T>> write, CancellationToken cancellationToken) =>
        await _resilience.WriteAsync(operation, async _ => await write(Database), cancellationToken);

    /// <summary>Runs a read, retried on a transient failure; throws a <see cref="StateUnavailableException"/> when Redis does not answer.</summary>
    public async Task<T> ReadAsync<T>(string operation, Func<IDatabase, Task<T>> read, CancellationToken cancellationToken) =>
        await _resilience.ReadAsync(operation, async _ => await read(Database), cancellationToken);
}
