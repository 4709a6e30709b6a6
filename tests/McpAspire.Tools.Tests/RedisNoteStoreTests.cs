using McpAspire.Testing;
using ModelContextProtocol;

namespace McpAspire.Tools.Tests;

/// <summary>The notes store in the deployment's Redis, the same cases against every server: embedded Garnet, Debian's redis-server and a Redis Cluster.</summary>
public abstract class RedisNoteStoreTests<TServer> where TServer : RedisTestServer
{
    private readonly TServer server;

    protected RedisNoteStoreTests(TServer server)
    {
        server.SkipIfMissing();
        this.server = server;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PutGetListDelete_RoundTripPerPrincipal()
    {
        await using var state = await NotesHost.StartAsync(server);

        await state.Notes.PutAsync("alice", "b", "two", Ct);
        await state.Notes.PutAsync("alice", "a", "one", Ct);
        await state.Notes.PutAsync("bob", "a", "bob's", Ct);

        Assert.Equal("one", (await state.Notes.GetAsync("alice", "a", Ct))?.Content);
        Assert.Equal(["a", "b"], (await state.Notes.ListAsync("alice", 10, Ct)).Select(n => n.Name));
        Assert.Equal("bob's", (await state.Notes.GetAsync("bob", "a", Ct))?.Content);
        Assert.True(await state.Notes.DeleteAsync("alice", "a", Ct));
        Assert.False(await state.Notes.DeleteAsync("alice", "a", Ct));
        Assert.Null(await state.Notes.GetAsync("alice", "a", Ct));
        Assert.Equal("bob's", (await state.Notes.GetAsync("bob", "a", Ct))?.Content);
    }

    [Fact]
    public async Task KeyIsPrefixedHashTaggedAndExpires()
    {
        await using var state = await NotesHost.StartAsync(server, new Dictionary<string, string?> { ["McpAspire:Notes:Ttl"] = "01:00:00" });

        await state.Notes.PutAsync("alice", "a", "one", Ct);

        var ttl = await state.Database.KeyTimeToLiveAsync($"{state.KeyPrefix}:data:notes:{{alice}}");
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task OverTheCap_RefusesANewNameButOverwritesAnOldOne()
    {
        await using var state = await NotesHost.StartAsync(server, new Dictionary<string, string?> { ["McpAspire:Notes:MaxPerPrincipal"] = "2" });
        await state.Notes.PutAsync("alice", "a", "1", Ct);
        await state.Notes.PutAsync("alice", "b", "2", Ct);

        var error = await Assert.ThrowsAsync<McpException>(() => state.Notes.PutAsync("alice", "c", "3", Ct));
        await state.Notes.PutAsync("alice", "a", "1 again", Ct);

        Assert.Equal("You have 2 notes, the most allowed; delete one with notes_delete first.", error.Message);
        Assert.Null(await state.Notes.GetAsync("alice", "c", Ct));
        Assert.Equal("1 again", (await state.Notes.GetAsync("alice", "a", Ct))?.Content);
    }
}

public sealed class GarnetRedisNoteStoreTests(GarnetRedisServer server) : RedisNoteStoreTests<GarnetRedisServer>(server), IClassFixture<GarnetRedisServer>;

public sealed class RedisServerNoteStoreTests(DebianRedisServer server) : RedisNoteStoreTests<DebianRedisServer>(server), IClassFixture<DebianRedisServer>;

public sealed class ClusterNoteStoreTests(RedisClusterServer server) : RedisNoteStoreTests<RedisClusterServer>(server), IClassFixture<RedisClusterServer>;
