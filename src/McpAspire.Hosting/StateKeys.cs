using McpAspire.State;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpAspire.Hosting;

/// <summary>
/// Every key the hosts write, under the deployment prefix (<see cref="McpAspireStateOptions.KeyPrefix"/>) and never under
/// <c>data:</c>, where a tool set's own keys are (<see cref="SharedRedis.Key"/>). Each key carries one hash tag
/// (<c>{…}</c>), so a script or transaction over one principal's or one session's keys stays in one slot on Redis Cluster.
/// </summary>
internal sealed class StateKeys(string prefix)
{
    public StateKeys(IOptions<McpAspireStateOptions> options) : this(options.Value.KeyPrefix)
    {
    }

    public RedisKey Session(string sessionId) => $"{prefix}:session:{{{sessionId}}}";

    /// <summary>A replica's heartbeat; it exists while the replica is alive.</summary>
    public RedisKey Replica(string instanceId) => $"{prefix}:replica:{{{instanceId}}}";

    /// <summary>Set by a replica that stops cleanly: it is gone, not merely silent.</summary>
    public RedisKey ReplicaLeft(string instanceId) => $"{prefix}:replica:{{{instanceId}}}:left";

    /// <summary>The events of one stream of a session (a sorted set by sequence) and its metadata: one slot per session.</summary>
    public (RedisKey Events, RedisKey Meta) EventStream(string sessionId, string streamId) =>
        ($"{prefix}:stream:{{{sessionId}}}:{streamId}:events", $"{prefix}:stream:{{{sessionId}}}:{streamId}:meta");

    /// <summary>Where messages for one replica are published: legacy SSE posts for sessions it holds, and answers to its own.</summary>
    public RedisChannel ReplicaInbox(string instanceId) => RedisChannel.Literal($"{prefix}:replica:{instanceId}:inbox");

    /// <summary>Where changes to subscribable resources go to every replica (<see cref="Changes.ChangeFeed"/>).</summary>
    public RedisChannel Changes => RedisChannel.Literal($"{prefix}:changes");

    /// <summary>Where session-wide messages go to every replica that holds a copy of the session.</summary>
    public RedisChannel SessionBroadcast => RedisChannel.Literal($"{prefix}:sessions");

    /// <summary>A task of the tasks extension: its record, input requests and answers in one hash.</summary>
    public RedisKey Task(string taskId) => $"{prefix}:task:{{{taskId}}}";

    /// <summary>Set once a sealed request state has been accepted, until it expires: a state is accepted once.</summary>
    public RedisKey RequestStateUsed(string stateId) => $"{prefix}:requeststate:{{{stateId}}}";

    /// <summary>The rate-limit partition; <see cref="RedisFixedWindowRateLimiter"/> wraps it in its own hash tag and key names.</summary>
    public string RateLimitPartition(string principal, string tool) => $"{prefix}:{principal}:{tool}";
}
