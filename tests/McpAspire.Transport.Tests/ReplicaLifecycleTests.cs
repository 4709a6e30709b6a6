using System.Net;
using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>A replica that dies or drains leaves its clients a clear way on; idle streams are kept alive.</summary>
[Collection(ReplicasGroup.Name)]
public sealed class ReplicaLifecycleTests(ReplicasFixture replicas) : ReplicaTestsBase(replicas)
{
    [Fact]
    public async Task ReplicaKilled_LegacyClientsGet404AndReconnect_StreamableCallInFlightGetsAnError_SessionCarriesOn()
    {
        var doomed = await Replicas.StartReplicaAsync("replica-doomed", Ct);

        // A legacy client on the doomed replica, its posts through B; and a Streamable HTTP call running there.
        using var legacy = await OpenLegacyStreamAsync(doomed);
        var viaB = new Uri(Replicas.B.BaseUri, legacy.Endpoint);
        await PostAcceptedAsync(viaB, LegacyInitialize);
        await legacy.Reader.ReadMessageAsync(Ct);

        var mcp = new Uri(doomed.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(Http, mcp, Ct);
        string lastEventId;
        using (var running = await SendStreamingAsync(RawMcp.PostInSession(mcp, LongRunning(2, "doomed", EndlessArguments), sessionId)))
        {
            await running.ReadMessageAsync(Ct);
            lastEventId = running.LastEventId!;
            await doomed.DisposeAsync();
        }

        var killedAt = DateTime.UtcNow;
        using (var orphan = await Http.SendAsync(RawMcp.Post(viaB, """{"jsonrpc":"2.0","id":2,"method":"ping"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, orphan.StatusCode);
            Assert.Equal(-32001, (await RawMcp.ReadMessageAsync(orphan, Ct)).ErrorCode());
        }

        // The legacy client starts over on a live replica and carries on.
        using (var fresh = await OpenLegacyStreamAsync(Replicas.B))
        {
            await PostAcceptedAsync(new Uri(Replicas.B.BaseUri, fresh.Endpoint), LegacyInitialize);
            Assert.Equal(1, (await fresh.Reader.ReadMessageAsync(Ct)).GetProperty("id").GetInt32());
        }

        // The Streamable HTTP client resumes its call on B: the call died with its replica, and it is told so.
        using var resume = GetStream(new Uri(Replicas.B.BaseUri, "/mcp"), sessionId, lastEventId);
        using var resumed = await SendStreamingAsync(resume);
        var answer = (await resumed.ReadUntilResponseAsync(JsonId(2), Ct))[^1];
        Assert.Equal(-32603, answer.ErrorCode());
        Assert.Contains("replica-doomed", answer.ErrorMessage(), StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - killedAt < ReplicasFixture.ReplicaTtl * 5, $"The interrupted call was reported after {DateTime.UtcNow - killedAt}.");

        // The session itself lives in Redis: B adopts it and serves the next call.
        using var next = await Http.SendAsync(RawMcp.PostInSession(new Uri(Replicas.B.BaseUri, "/mcp"), RawMcp.ToolCall(3, "echo", """{"message":"still here"}"""), sessionId), Ct);
        Assert.Equal("still here", (await RawMcp.ReadMessageAsync(next, Ct)).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task ReplicaDraining_FinishesTheCallInFlight_ClosesStreams_AndExitsCleanly()
    {
        var draining = await Replicas.StartReplicaAsync("replica-draining", Ct);
        using var legacy = await OpenLegacyStreamAsync(draining);
        var mcp = new Uri(draining.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(Http, mcp, Ct);
        using var running = await SendStreamingAsync(RawMcp.PostInSession(mcp, LongRunning(2, "drain", """{"steps":10,"delayMs":150}"""), sessionId));
        await running.ReadMessageAsync(Ct);

        var exit = draining.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.True(await legacy.Reader.EndsWithinAsync(TimeSpan.FromSeconds(10), Ct), "The legacy stream stayed open while the replica drained.");
        var messages = await running.ReadUntilResponseAsync(JsonId(2), Ct);
        Assert.Equal("Completed 10 steps.", messages[^1].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(0, await exit);
    }

    [Fact]
    public async Task IdleStreams_GetKeepAliveComments()
    {
        using var legacy = await OpenLegacyStreamAsync(Replicas.A);
        var legacyComment = await legacy.Reader.ReadAsync(Ct, ReplicasFixture.KeepAliveInterval * 20);
        Assert.Equal(new SseItem(null, "", "keep-alive", IsComment: true), legacyComment);

        var mcp = new Uri(Replicas.B.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(Http, mcp, Ct);
        using var get = GetStream(mcp, sessionId);
        using var standalone = await SendStreamingAsync(get);
        SseItem item;
        do
        {
            item = await standalone.ReadAsync(Ct, ReplicasFixture.KeepAliveInterval * 20);
        }
        while (!item.IsComment);
        Assert.Equal("keep-alive", item.Data);
    }
}
