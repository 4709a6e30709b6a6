using McpAspire.Hosting;
using McpAspire.State;
using StackExchange.Redis;

namespace McpAspire.State.Tests;

/// <summary>A tool set's own keys (<see cref="SharedRedis.Key"/>) never land on a key the plumbing writes.</summary>
public sealed class RedisKeysTests
{
    [Theory]
    [InlineData("session")]
    [InlineData("replica")]
    [InlineData("stream")]
    [InlineData("task")]
    [InlineData("requeststate")]
    [InlineData("dataprotection")]
    public void AToolSetsCollection_NamedLikeThePlumbingsOwn_IsAKeyThePlumbingNeverWrites(string collection)
    {
        var keys = new RedisKeys("app");
        var hosts = new StateKeys("app");
        // "keys" is also the data protection ring's hash tag.
        const string Owner = "keys";
        var stream = hosts.EventStream(Owner, "1");
        RedisKey[] plumbing =
        [
            hosts.Session(Owner), hosts.Replica(Owner), hosts.ReplicaLeft(Owner), stream.Events, stream.Meta, hosts.Task(Owner),
            hosts.RequestStateUsed(Owner), keys.DataProtectionKeys,
        ];

        var owned = keys.Owned(collection, Owner);

        Assert.DoesNotContain(owned, plumbing);
        Assert.StartsWith("app:", owned.ToString(), StringComparison.Ordinal);
        Assert.EndsWith(":{keys}", owned.ToString(), StringComparison.Ordinal);
    }
}
