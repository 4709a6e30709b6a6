using McpAspire.State;

namespace McpAspire.State.Tests;

/// <summary>
/// A tool set's own data as the state plumbing keeps it (<see cref="SharedRedis"/>): one hash per owner, written once and
/// read with retries, as a tool set's store does it. What the outage and cluster tests write through.
/// </summary>
internal sealed class EntryStore(SharedRedis redis)
{
    public const string Collection = "entries";

    /// <summary>The key <paramref name="owner"/>'s entries are kept under.</summary>
    public string KeyOf(string owner) => redis.Key(Collection, owner).ToString();

    public Task PutAsync(string owner, string name, string value, CancellationToken cancellationToken) =>
        redis.WriteAsync("Saving entries", db => db.HashSetAsync(redis.Key(Collection, owner), name, value), cancellationToken);

    public Task<string?> GetAsync(string owner, string name, CancellationToken cancellationToken) =>
        redis.ReadAsync("Reading entries", async db => (string?)await db.HashGetAsync(redis.Key(Collection, owner), name), cancellationToken);
}
