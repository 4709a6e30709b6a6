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
        // "keys" is also the data protection ring's hash tag.
        const string Owner = "keys";
        var stream = keys.EventStream(Owner, "1");
        RedisKey[] plumbing =
        [
            keys.Session(Owner), keys.Replica(Owner), keys.ReplicaLeft(Owner), stream.Events, stream.Meta, keys.Task(Owner),
            keys.RequestStateUsed(Owner), keys.DataProtectionKeys,
        ];

        var owned = keys.Owned(collection, Owner);

        Assert.DoesNotContain(owned, plumbing);
        Assert.StartsWith("app:", owned.ToString(), StringComparison.Ordinal);
        Assert.EndsWith(":{keys}", owned.ToString(), StringComparison.Ordinal);
    }
}
