using StackExchange.Redis;

namespace McpAspire.State;

/// <summary>
/// Every key McpAspire writes. Each is namespaced by the deployment prefix and carries one hash tag (<c>{…}</c>), so a
/// script or transaction over one principal's or one session's keys stays in one slot on Redis Cluster.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    public RedisKey Notes(string principal) => $"{prefix}:notes:{{{principal}}}";

    public RedisKey Session(string sessionId) => $"{prefix}:session:{{{sessionId}}}";

    /// <summary>The rate-limit partition; RedisRateLimiting wraps it in its own hash tag and key names.</summary>
    public string RateLimitPartition(string principal, string tool) => $"{prefix}:{principal}:{tool}";
}
