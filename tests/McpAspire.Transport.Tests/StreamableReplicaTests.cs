using System.Net;
using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>Stateful Streamable HTTP across replicas: requests alternate, streams resume on the other replica, each event exactly once.</summary>
[Collection(ReplicasGroup.Name)]
public sealed class StreamableReplicaTests(ReplicasFixture replicas) : ReplicaTestsBase(replicas)
{
    [Fact]
    public async Task Streamable_RequestsAlternatingBetweenReplicas_AnswerWithProgress_AndCancellationReachesTheOtherReplica()
    {
        var a = new Uri(Replicas.A.BaseUri, "/mcp");
        var b = new Uri(Replicas.B.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(Http, a, Ct);

        for (var id = 2; id < 8; id++)
        {
            var replica = id % 2 == 0 ? b : a;
            using var response = await Http.SendAsync(RawMcp.PostInSession(replica, RawMcp.ToolCall(id, "echo", $$"""{"message":"call {{id}}"}"""), sessionId), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = await RawMcp.ReadMessageAsync(response, Ct);
            Assert.Equal($"call {id}", result.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        }

        using (var progress = await SendStreamingAsync(RawMcp.PostInSession(b, LongRunning(8, "rr-progress", """{"steps":4,"delayMs":20}"""), sessionId)))
        {
            var messages = await progress.ReadUntilResponseAsync(JsonId(8), Ct);
            Assert.Equal([1, 2, 3, 4], ProgressOf(messages, "rr-progress"));
        }

        // The call runs on A; its cancellation lands on B, which hands it to A's copy of the session.
        using var running = await SendStreamingAsync(RawMcp.PostInSession(a, LongRunning(9, "rr-cancel", EndlessArguments), sessionId));
        await running.ReadMessageAsync(Ct);
        using (var cancel = await Http.SendAsync(RawMcp.PostInSession(b, Cancel(9), sessionId), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        await AssertGoesQuietAsync(running, cancelledId: 9);
    }

    [Fact]
    public async Task Streamable_ConnectionLostMidCall_ResumesOnTheOtherReplica_EveryEventExactlyOnce()
    {
        var a = new Uri(Replicas.A.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(Http, a, Ct);

        const int Steps = 12;
        string lastEventId;
        var seen = new List<JsonElement>();
        using (var first = await SendStreamingAsync(RawMcp.PostInSession(a, LongRunning(2, "resume", $$"""{"steps":{{Steps}},"delayMs":100}"""), sessionId)))
        {
            while (seen.Count < 3)
            {
                seen.Add(await first.ReadMessageAsync(Ct));
            }

            lastEventId = first.LastEventId ?? throw new InvalidOperationException("The stream's events carry no ids.");
        }

        // The connection is gone; the call goes on at A. Resume at B, which has never seen this session.
        using var resume = GetStream(new Uri(Replicas.B.BaseUri, "/mcp"), sessionId, lastEventId);
        using var resumed = await SendStreamingAsync(resume);
        seen.AddRange(await resumed.ReadUntilResponseAsync(JsonId(2), Ct));

        Assert.Equal(Enumerable.Range(1, Steps), ProgressOf(seen, "resume"));
        Assert.Single(seen, m => m.TryGetProperty("result", out _));
        Assert.True(await resumed.EndsWithinAsync(TimeSpan.FromSeconds(10), Ct), "The resumed stream did not end after the response.");
    }

    [Fact]
    public async Task Streamable_ResumeWithAForeignOrMalformedEventId_IsRefusedClearly()
    {
        var a = new Uri(Replicas.A.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(Http, a, Ct);
        foreach (var lastEventId in new[] { "not-an-event-id", "Zm9v.YmFy.1" })
        {
            using var resume = GetStream(new Uri(Replicas.B.BaseUri, "/mcp"), sessionId, lastEventId);
            using var response = await Http.SendAsync(resume, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Last-Event-ID", (await RawMcp.ReadMessageAsync(response, Ct)).ErrorMessage(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Principals_KeepTheirSessionsAndScopes_AcrossReplicas()
    {
        using var alice = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        alice.DefaultRequestHeaders.Add("X-API-Key", ReplicasFixture.AliceKey);
        using var bob = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        bob.DefaultRequestHeaders.Add("X-API-Key", ReplicasFixture.BobKey);

        // Alice's legacy stream is on A: through B, Bob and an anonymous caller are refused, Alice is served.
        using var aliceStream = await OpenLegacyStreamAsync(Replicas.A, alice);
        var viaB = new Uri(Replicas.B.BaseUri, aliceStream.Endpoint);
        foreach (var intruder in new[] { bob, Http })
        {
            using var refused = await intruder.SendAsync(RawMcp.Post(viaB, LegacyInitialize), Ct);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("Forbidden: the session belongs to another user.", (await RawMcp.ReadMessageAsync(refused, Ct)).ErrorMessage());
        }

        using (var accepted = await alice.SendAsync(RawMcp.Post(viaB, LegacyInitialize), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        Assert.Equal(1, (await aliceStream.Reader.ReadMessageAsync(Ct)).GetProperty("id").GetInt32());

        // Bob's scopes travel with his forwarded message: the replica holding his stream lists only his tools.
        using var bobStream = await OpenLegacyStreamAsync(Replicas.A, bob);
        var bobViaB = new Uri(Replicas.B.BaseUri, bobStream.Endpoint);
        (await bob.SendAsync(RawMcp.Post(bobViaB, LegacyInitialize), Ct)).Dispose();
        await bobStream.Reader.ReadMessageAsync(Ct);
        (await bob.SendAsync(RawMcp.Post(bobViaB, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}"""), Ct)).Dispose();
        var tools = (await bobStream.Reader.ReadUntilResponseAsync(JsonId(2), Ct))[^1].GetProperty("result").GetProperty("tools");
        Assert.Equal(["echo", "whoami"], tools.EnumerateArray().Select(t => t.GetProperty("name").GetString()).Order(StringComparer.Ordinal));

        // Alice's Streamable HTTP session opened on A: B adopts it for her only; to Bob it does not exist.
        var sessionId = await RawMcp.OpenSessionAsync(alice, new Uri(Replicas.A.BaseUri, "/mcp"), Ct);
        using var bobOnB = await bob.SendAsync(RawMcp.PostInSession(new Uri(Replicas.B.BaseUri, "/mcp"), """{"jsonrpc":"2.0","id":3,"method":"ping"}""", sessionId), Ct);
        using var aliceOnB = await alice.SendAsync(RawMcp.PostInSession(new Uri(Replicas.B.BaseUri, "/mcp"), """{"jsonrpc":"2.0","id":4,"method":"ping"}""", sessionId), Ct);
        Assert.Equal(HttpStatusCode.NotFound, bobOnB.StatusCode);
        Assert.Equal(-32001, (await RawMcp.ReadMessageAsync(bobOnB, Ct)).ErrorCode());
        Assert.Equal(HttpStatusCode.OK, aliceOnB.StatusCode);
    }
}
