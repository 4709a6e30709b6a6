using StackExchange.Redis;

namespace McpAspire.State;

/// <summary>
/// The keys this package writes, under the deployment prefix: a tool set's own data and the Data Protection key ring.
/// The hosting package's keys (sessions, replicas, streams, tasks, request state) share the prefix and never live under
/// <c>data:</c>. Each key carries one hash tag (<c>{…}</c>), so a script over one owner's keys stays in one slot on Redis Cluster.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>
    /// A key of a tool set's own data (<see cref="SharedRedis.Key"/>), one slot per owner, under <c>data:</c>: whatever a
    /// collection is named, it is never a key the plumbing writes.
    /// </summary>
    public RedisKey Owned(string collection, string owner) => $"{prefix}:data:{collection}:{{{owner}}}";

    /// <summary>The Data Protection key ring (a list of XML keys), shared by every replica and host of the deployment.</summary>
    public RedisKey DataProtectionKeys => $"{prefix}:dataprotection:{{keys}}";
}
