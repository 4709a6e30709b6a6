using System.Net;
using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// The SSE front-end as several replicas with no sticky sessions: every request of a session may land on any replica,
/// streams resume anywhere, and a replica that dies or drains leaves its clients a clear way on.
/// </summary>
public sealed class ReplicaTests(ReplicasFixture replicas) : IClassFixture<ReplicasFixture>, IDisposable
{
    private const string ProtocolVersion = "2025-11-25";

    /// <summary>Long enough that, uncancelled, it would still be sending progress when the test gives up waiting.</summary>
    private const string EndlessArguments = """{"steps":1000,"delayMs":50}""";

    /// <summary>Bounds each request until its headers; streams are read with their own deadlines.</summary>
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LegacySse_StreamOnOneReplica_PostsToTheOther_AnswersProgressAndCancellation()
    {
        using var stream = await OpenLegacyStreamAsync(replicas.A);
        var viaB = new Uri(replicas.B.BaseUri, stream.Endpoint);

        await PostAcceptedAsync(viaB, LegacyInitialize);
        var initialized = await stream.Reader.ReadMessageAsync(Ct);
        Assert.Equal("McpAspire", initialized.GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString());
        await PostAcceptedAsync(viaB, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");

        await PostAcceptedAsync(viaB, RawMcp.ToolCall(2, "echo", """{"message":"through B"}"""));
        var echo = await stream.Reader.ReadMessageAsync(Ct);
        Assert.Equal(2, echo.GetProperty("id").GetInt32());
        Assert.Equal("through B", echo.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());

        await PostAcceptedAsync(viaB, LongRunning(3, "legacy-progress", """{"steps":3,"delayMs":20}"""));
        var messages = await stream.Reader.ReadUntilResponseAsync(JsonId(3), Ct);
        Assert.Equal([1, 2, 3], ProgressOf(messages, "legacy-progress"));
        Assert.Equal("Completed 3 steps.", messages[^1].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());

        await PostAcceptedAsync(viaB, LongRunning(4, "legacy-cancel", EndlessArguments));
        await stream.Reader.ReadMessageAsync(Ct);
        await PostAcceptedAsync(viaB, Cancel(4));
        await AssertGoesQuietAsync(stream.Reader, cancelledId: 4);

        await PostAcceptedAsync(viaB, """{"jsonrpc":"2.0","id":5,"method":"ping"}""");
        Assert.Equal(5, (await stream.Reader.ReadUntilResponseAsync(JsonId(5), Ct))[^1].GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task LegacySse_UnknownSession_Is404OnEveryReplica_AndANonJsonBodyIsAParseError()
    {
        foreach (var replica in new[] { replicas.A, replicas.B })
        {
            using var response = await _http.SendAsync(RawMcp.Post(new Uri(replica.BaseUri, "/message?sessionId=never-issued"), """{"jsonrpc":"2.0","id":1,"method":"ping"}"""), Ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(-32001, (await RawMcp.ReadMessageAsync(response, Ct)).ErrorCode());
        }

        using var stream = await OpenLegacyStreamAsync(replicas.A);
        using (var garbage = await _http.SendAsync(RawMcp.Post(new Uri(replicas.B.BaseUri, stream.Endpoint), "{not json"), Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
            Assert.Equal(-32700, (await RawMcp.ReadMessageAsync(garbage, Ct)).ErrorCode());
        }

        // The session is intact: the next good message is answered on its stream.
        await PostAcceptedAsync(new Uri(replicas.B.BaseUri, stream.Endpoint), LegacyInitialize);
        Assert.Equal(1, (await stream.Reader.ReadMessageAsync(Ct)).GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Streamable_RequestsAlternatingBetweenReplicas_AnswerWithProgress_AndCancellationReachesTheOtherReplica()
    {
        var a = new Uri(replicas.A.BaseUri, "/mcp");
        var b = new Uri(replicas.B.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(_http, a, Ct);

        for (var id = 2; id < 8; id++)
        {
            var replica = id % 2 == 0 ? b : a;
            using var response = await _http.SendAsync(RawMcp.PostInSession(replica, RawMcp.ToolCall(id, "echo", $$"""{"message":"call {{id}}"}"""), sessionId), Ct);
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
        using (var cancel = await _http.SendAsync(RawMcp.PostInSession(b, Cancel(9), sessionId), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        await AssertGoesQuietAsync(running, cancelledId: 9);
    }

    [Fact]
    public async Task Streamable_ConnectionLostMidCall_ResumesOnTheOtherReplica_EveryEventExactlyOnce()
    {
        var a = new Uri(replicas.A.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(_http, a, Ct);

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
        using var resume = GetStream(new Uri(replicas.B.BaseUri, "/mcp"), sessionId, lastEventId);
        using var resumed = await SendStreamingAsync(resume);
        seen.AddRange(await resumed.ReadUntilResponseAsync(JsonId(2), Ct));

        Assert.Equal(Enumerable.Range(1, Steps), ProgressOf(seen, "resume"));
        Assert.Single(seen, m => m.TryGetProperty("result", out _));
        Assert.True(await resumed.EndsWithinAsync(TimeSpan.FromSeconds(10), Ct), "The resumed stream did not end after the response.");
    }

    [Fact]
    public async Task Streamable_ResumeWithAForeignOrMalformedEventId_IsRefusedClearly()
    {
        var a = new Uri(replicas.A.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(_http, a, Ct);
        foreach (var lastEventId in new[] { "not-an-event-id", "Zm9v.YmFy.1" })
        {
            using var resume = GetStream(new Uri(replicas.B.BaseUri, "/mcp"), sessionId, lastEventId);
            using var response = await _http.SendAsync(resume, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Last-Event-ID", (await RawMcp.ReadMessageAsync(response, Ct)).ErrorMessage(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ReplicaKilled_LegacyClientsGet404AndReconnect_StreamableCallInFlightGetsAnError_SessionCarriesOn()
    {
        var doomed = await replicas.StartReplicaAsync("replica-doomed", Ct);

        // A legacy client on the doomed replica, its posts through B; and a Streamable HTTP call running there.
        using var legacy = await OpenLegacyStreamAsync(doomed);
        var viaB = new Uri(replicas.B.BaseUri, legacy.Endpoint);
        await PostAcceptedAsync(viaB, LegacyInitialize);
        await legacy.Reader.ReadMessageAsync(Ct);

        var mcp = new Uri(doomed.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(_http, mcp, Ct);
        string lastEventId;
        using (var running = await SendStreamingAsync(RawMcp.PostInSession(mcp, LongRunning(2, "doomed", EndlessArguments), sessionId)))
        {
            await running.ReadMessageAsync(Ct);
            lastEventId = running.LastEventId!;
            await doomed.DisposeAsync();
        }

        var killedAt = DateTime.UtcNow;
        using (var orphan = await _http.SendAsync(RawMcp.Post(viaB, """{"jsonrpc":"2.0","id":2,"method":"ping"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, orphan.StatusCode);
            Assert.Equal(-32001, (await RawMcp.ReadMessageAsync(orphan, Ct)).ErrorCode());
        }

        // The legacy client starts over on a live replica and carries on.
        using (var fresh = await OpenLegacyStreamAsync(replicas.B))
        {
            await PostAcceptedAsync(new Uri(replicas.B.BaseUri, fresh.Endpoint), LegacyInitialize);
            Assert.Equal(1, (await fresh.Reader.ReadMessageAsync(Ct)).GetProperty("id").GetInt32());
        }

        // The Streamable HTTP client resumes its call on B: the call died with its replica, and it is told so.
        using var resume = GetStream(new Uri(replicas.B.BaseUri, "/mcp"), sessionId, lastEventId);
        using var resumed = await SendStreamingAsync(resume);
        var answer = (await resumed.ReadUntilResponseAsync(JsonId(2), Ct))[^1];
        Assert.Equal(-32603, answer.ErrorCode());
        Assert.Contains("replica-doomed", answer.ErrorMessage(), StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - killedAt < ReplicasFixture.ReplicaTtl * 5, $"The interrupted call was reported after {DateTime.UtcNow - killedAt}.");

        // The session itself lives in Redis: B adopts it and serves the next call.
        using var next = await _http.SendAsync(RawMcp.PostInSession(new Uri(replicas.B.BaseUri, "/mcp"), RawMcp.ToolCall(3, "echo", """{"message":"still here"}"""), sessionId), Ct);
        Assert.Equal("still here", (await RawMcp.ReadMessageAsync(next, Ct)).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task ReplicaDraining_FinishesTheCallInFlight_ClosesStreams_AndExitsCleanly()
    {
        var draining = await replicas.StartReplicaAsync("replica-draining", Ct);
        using var legacy = await OpenLegacyStreamAsync(draining);
        var mcp = new Uri(draining.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(_http, mcp, Ct);
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
        using var legacy = await OpenLegacyStreamAsync(replicas.A);
        var legacyComment = await legacy.Reader.ReadAsync(Ct, ReplicasFixture.KeepAliveInterval * 20);
        Assert.Equal(new SseItem(null, "", "keep-alive", IsComment: true), legacyComment);

        var mcp = new Uri(replicas.B.BaseUri, "/mcp");
        var sessionId = await RawMcp.OpenSessionAsync(_http, mcp, Ct);
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

    [Fact]
    public async Task Principals_KeepTheirSessionsAndScopes_AcrossReplicas()
    {
        using var alice = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        alice.DefaultRequestHeaders.Add("X-API-Key", ReplicasFixture.AliceKey);
        using var bob = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        bob.DefaultRequestHeaders.Add("X-API-Key", ReplicasFixture.BobKey);

        // Alice's legacy stream is on A: through B, Bob and an anonymous caller are refused, Alice is served.
        using var aliceStream = await OpenLegacyStreamAsync(replicas.A, alice);
        var viaB = new Uri(replicas.B.BaseUri, aliceStream.Endpoint);
        foreach (var intruder in new[] { bob, _http })
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
        using var bobStream = await OpenLegacyStreamAsync(replicas.A, bob);
        var bobViaB = new Uri(replicas.B.BaseUri, bobStream.Endpoint);
        (await bob.SendAsync(RawMcp.Post(bobViaB, LegacyInitialize), Ct)).Dispose();
        await bobStream.Reader.ReadMessageAsync(Ct);
        (await bob.SendAsync(RawMcp.Post(bobViaB, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}"""), Ct)).Dispose();
        var tools = (await bobStream.Reader.ReadUntilResponseAsync(JsonId(2), Ct))[^1].GetProperty("result").GetProperty("tools");
        Assert.Equal(["echo", "whoami"], tools.EnumerateArray().Select(t => t.GetProperty("name").GetString()).Order(StringComparer.Ordinal));

        // Alice's Streamable HTTP session opened on A: B adopts it for her only; to Bob it does not exist.
        var sessionId = await RawMcp.OpenSessionAsync(alice, new Uri(replicas.A.BaseUri, "/mcp"), Ct);
        using var bobOnB = await bob.SendAsync(RawMcp.PostInSession(new Uri(replicas.B.BaseUri, "/mcp"), """{"jsonrpc":"2.0","id":3,"method":"ping"}""", sessionId), Ct);
        using var aliceOnB = await alice.SendAsync(RawMcp.PostInSession(new Uri(replicas.B.BaseUri, "/mcp"), """{"jsonrpc":"2.0","id":4,"method":"ping"}""", sessionId), Ct);
        Assert.Equal(HttpStatusCode.NotFound, bobOnB.StatusCode);
        Assert.Equal(-32001, (await RawMcp.ReadMessageAsync(bobOnB, Ct)).ErrorCode());
        Assert.Equal(HttpStatusCode.OK, aliceOnB.StatusCode);
    }

    [Fact]
    public async Task AThousandLegacySessionsOnOneReplica_StayOpenAndAnswer()
    {
        const int Sessions = 1000;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
        var streams = new LegacyStream[Sessions];
        try
        {
            await Parallel.ForAsync(0, Sessions, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Ct }, async (i, ct) =>
                streams[i] = await OpenLegacyStreamAsync(replicas.B, http));

            // All open at once; each answers on its own stream.
            await Parallel.ForAsync(0, Sessions, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Ct }, async (i, ct) =>
            {
                var stream = streams[i];
                using (var post = await http.SendAsync(RawMcp.Post(new Uri(replicas.B.BaseUri, stream.Endpoint), $$"""{"jsonrpc":"2.0","id":{{i}},"method":"ping"}"""), ct))
                {
                    Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
                }

                Assert.Equal(i, (await stream.Reader.ReadMessageAsync(ct, TimeSpan.FromSeconds(60))).GetProperty("id").GetInt32());
            });
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream?.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        // The two replicas serve the whole class: one that died is a crash, to be shown with what it printed.
        foreach (var (name, replica) in new[] { ("A", replicas.A), ("B", replicas.B) })
        {
            Assert.False(replica.HasExited, $"Replica {name} exited during the test:{Environment.NewLine}{replica.Output}");
        }
    }

    private static string LegacyInitialize =>
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"replica-test","version":"1"}}}""";

    private static string LongRunning(int id, string progressToken, string arguments) =>
        $$"""{"jsonrpc":"2.0","id":{{id}},"method":"tools/call","params":{"name":"long_running","arguments":{{arguments}},"_meta":{"progressToken":"{{progressToken}}" """ + "}}}";

    private static string Cancel(int id) =>
        $$$"""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":{{{id}}},"reason":"test"}}""";

    /// <summary>A session's GET stream: the standalone one, or with <paramref name="lastEventId"/> a stream resumed.</summary>
    private static HttpRequestMessage GetStream(Uri mcp, string sessionId, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, mcp);
        request.Headers.Add("Accept", "text/event-stream");
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        return request;
    }

    private static JsonElement JsonId(int id) => JsonDocument.Parse(id.ToString(System.Globalization.CultureInfo.InvariantCulture)).RootElement.Clone();

    private static int[] ProgressOf(IEnumerable<JsonElement> messages, string token) =>
        [.. messages
            .Where(m => m.TryGetProperty("method", out var method) && method.GetString() == "notifications/progress" &&
                m.GetProperty("params").GetProperty("progressToken").GetString() == token)
            .Select(m => m.GetProperty("params").GetProperty("progress").GetInt32())];

    /// <summary>
    /// A cancelled call stops: its progress (one every 50 ms while it runs) falls silent for a whole second well
    /// before the call would have ended, and it is never answered.
    /// </summary>
    private static async Task AssertGoesQuietAsync(SseReader reader, int cancelledId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            JsonElement message;
            try
            {
                message = await reader.ReadMessageAsync(Ct, TimeSpan.FromSeconds(1));
            }
            catch (TimeoutException)
            {
                return;
            }

            Assert.False(message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt32() == cancelledId,
                $"The cancelled call {cancelledId} was answered: {message}");
        }

        Assert.Fail($"Progress of call {cancelledId} went on after it was cancelled.");
    }

    private async Task PostAcceptedAsync(Uri endpoint, string body)
    {
        using var response = await _http.SendAsync(RawMcp.Post(endpoint, body), Ct);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            Assert.Fail($"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        }
    }

    private async Task<SseReader> SendStreamingAsync(HttpRequestMessage request)
    {
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        if (!response.IsSuccessStatusCode)
        {
            // Read the body only on failure: on success it is a stream that may not end for a long time.
            Assert.Fail($"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        }

        return new SseReader(response);
    }

    private Task<LegacyStream> OpenLegacyStreamAsync(HostProcess replica) => OpenLegacyStreamAsync(replica, _http);

    private static async Task<LegacyStream> OpenLegacyStreamAsync(HostProcess replica, HttpClient http)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(replica.BaseUri, "/sse"));
        request.Headers.Add("Accept", "text/event-stream");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        response.EnsureSuccessStatusCode();
        var reader = new SseReader(response);
        SseItem endpoint;
        do
        {
            endpoint = await reader.ReadAsync(Ct, TimeSpan.FromSeconds(60));
        }
        while (endpoint.IsComment);
        Assert.Equal("endpoint", endpoint.Event);
        return new LegacyStream(reader, endpoint.Data);
    }

    private sealed record LegacyStream(SseReader Reader, string Endpoint) : IDisposable
    {
        public void Dispose() => Reader.Dispose();
    }
}
