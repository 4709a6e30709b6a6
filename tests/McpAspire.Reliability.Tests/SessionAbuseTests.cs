using System.Net;
using System.Text.Json;
using McpAspire.Reliability.Tests.Infrastructure;
using McpAspire.Testing;

namespace McpAspire.Reliability.Tests;

/// <summary>
/// A client misusing a session rather than HTTP: reusing the id of a request still in progress, and flooding a session
/// with notifications. The misuse is refused or absorbed, and the session goes on serving.
/// </summary>
public sealed class SessionAbuseTests(SessionAbuseTests.Hosts hosts) : IClassFixture<SessionAbuseTests.Hosts>
{
    /// <summary>Three seconds of work: the reused id arrives while it runs, however loaded the machine.</summary>
    private const string LongCall =
        """{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"long_running","arguments":{"steps":10,"delayMs":300},"_meta":{"progressToken":"p9"}}}""";

    private const string DuplicateIdMessage = "Invalid Request: id 9 is already taken by a request in progress on this session; give every request its own id.";

    private static readonly string EchoWithTheSameId = RawMcp.ToolCall(9, "echo", """{"message":"same id"}""");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Notifications =
    [
        """{"jsonrpc":"2.0","method":"notifications/initialized"}""",
        """{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}""",
        """{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":123456,"reason":"never sent"}}""",
        """{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"nobody","progress":1}}""",
        """{"jsonrpc":"2.0","method":"notifications/whatever","params":{"a":[1,2,3]}}""",
    ];

    [Fact]
    public async Task IdInProgress_ReusedOnAStatefulSession_IsRefused_AndFreeAgainOnceAnswered()
    {
        using var http = new HttpClient();
        var mcp = hosts.FrontEndMcp();
        var sessionId = await RawMcp.OpenSessionAsync(http, mcp, Ct);
        using var longResponse = await http.SendAsync(RawMcp.PostInSession(mcp, LongCall, sessionId), HttpCompletionOption.ResponseHeadersRead, Ct);
        using var longStream = new SseReader(longResponse);
        Assert.Equal("notifications/progress", (await longStream.ReadMessageAsync(Ct)).GetProperty("method").GetString());

        using var duplicate = await http.SendAsync(RawMcp.PostInSession(mcp, EchoWithTheSameId, sessionId), Ct);
        var refused = await RawMcp.ReadMessageAsync(duplicate, Ct);
        var finished = (await longStream.ReadUntilResponseAsync(JsonDocument.Parse("9").RootElement, Ct))[^1];
        using var reused = await http.SendAsync(RawMcp.PostInSession(mcp, EchoWithTheSameId, sessionId), Ct);

        Assert.Equal((9, -32600, DuplicateIdMessage), (refused.GetProperty("id").GetInt32(), refused.ErrorCode(), refused.ErrorMessage()));
        Assert.Equal("Completed 10 steps.", TextOf(finished));
        Assert.Equal("same id", TextOf(await RawMcp.ReadMessageAsync(reused, Ct)));
    }

    [Fact]
    public async Task IdInProgress_ReusedOnALegacySession_IsRefused_AndFreeAgainOnceAnswered()
    {
        using var http = new HttpClient();
        await using var legacy = await LegacySseConnection.OpenAsync(http, hosts.FrontEnds[0].BaseUri, Ct);
        await legacy.PostAsync(RawMcp.Initialize, Ct);
        await legacy.ReadMessageAsync(Ct);
        await legacy.PostAsync(Notifications[0], Ct);
        await legacy.PostAsync(LongCall, Ct);
        Assert.Equal("notifications/progress", (await legacy.ReadMessageAsync(Ct)).GetProperty("method").GetString());

        await legacy.PostAsync(EchoWithTheSameId, Ct);
        var answers = await ReadAnswersAsync(legacy.ReadMessageAsync, count: 2);
        await legacy.PostAsync(EchoWithTheSameId, Ct);
        var reused = (await ReadAnswersAsync(legacy.ReadMessageAsync, count: 1))[0];

        var refused = answers.Single(a => a.TryGetProperty("error", out _));
        Assert.Equal((-32600, DuplicateIdMessage), (refused.ErrorCode(), refused.ErrorMessage()));
        Assert.Equal("Completed 10 steps.", TextOf(answers.Single(a => a.TryGetProperty("result", out _))));
        Assert.Equal("same id", TextOf(reused));
    }

    [Fact]
    public async Task IdInProgress_ReusedOnStdio_IsRefused_AndFreeAgainOnceAnswered()
    {
        await using var sidecar = hosts.StartRawSidecar();
        await sidecar.InitializeAsync();
        await sidecar.ReadResponseAsync(1, Ct);
        await sidecar.SendAsync(LongCall);
        Assert.Equal("notifications/progress", (await sidecar.ReadAsync(Ct)).GetProperty("method").GetString());

        await sidecar.SendAsync(EchoWithTheSameId);
        var answers = await ReadAnswersAsync(ct => sidecar.ReadAsync(ct), count: 2);
        await sidecar.SendAsync(EchoWithTheSameId);
        var reused = (await ReadAnswersAsync(ct => sidecar.ReadAsync(ct), count: 1))[0];

        // On stdio the two answers would carry the same id: the client could not tell which is which.
        var refused = answers.Single(a => a.TryGetProperty("error", out _));
        Assert.Equal((-32600, DuplicateIdMessage), (refused.ErrorCode(), refused.ErrorMessage()));
        Assert.Equal("Completed 10 steps.", TextOf(answers.Single(a => a.TryGetProperty("result", out _))));
        Assert.Equal("same id", TextOf(reused));
    }

    [Fact]
    public async Task Initialize_InsideASession_Is400_AndTheSessionCarriesOn()
    {
        using var http = new HttpClient();
        var mcp = hosts.FrontEndMcp();
        var sessionId = await RawMcp.OpenSessionAsync(http, mcp, Ct);

        using var again = await http.SendAsync(RawMcp.PostInSession(mcp, RawMcp.Initialize, sessionId), Ct);
        using var after = await http.SendAsync(RawMcp.PostInSession(mcp, RawMcp.ToolCall(2, "echo", """{"message":"still here"}"""), sessionId), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        var refused = await RawMcp.ReadMessageAsync(again, Ct);
        Assert.Equal((-32600, "Bad Request: initialize starts a session; send it without Mcp-Session-Id."), (refused.ErrorCode(), refused.ErrorMessage()));
        Assert.Equal("still here", TextOf(await RawMcp.ReadMessageAsync(after, Ct)));
    }

    [Fact]
    public async Task SameIdFromTwoClientsOnTheStatelessWorker_IsNoConflict()
    {
        using var http = new HttpClient();
        var slow = http.SendAsync(RawMcp.Post(hosts.WorkerMcp(), LongCall), Ct);
        var fast = http.SendAsync(RawMcp.Post(hosts.WorkerMcp(), EchoWithTheSameId), Ct);

        using var fastResponse = await fast;
        using var slowResponse = await slow;

        Assert.Equal("same id", TextOf(await RawMcp.ReadMessageAsync(fastResponse, Ct)));
        Assert.Equal("Completed 10 steps.", TextOf(await RawMcp.ReadMessageAsync(slowResponse, Ct)));
    }

    [Fact]
    public async Task NotificationFlood_OnEveryTransport_IsAcceptedWithoutAnswers_AndTheNextRequestIsServed()
    {
        const int flood = 2000;
        using var http = new HttpClient();
        var mcp = hosts.FrontEndMcp();
        var sessionId = await RawMcp.OpenSessionAsync(http, mcp, Ct);
        await using var legacy = await LegacySseConnection.OpenAsync(http, hosts.FrontEnds[0].BaseUri, Ct);
        await legacy.PostAsync(RawMcp.Initialize, Ct);
        await legacy.ReadMessageAsync(Ct);
        await using var sidecar = hosts.StartRawSidecar();
        await sidecar.InitializeAsync();
        await sidecar.ReadResponseAsync(1, Ct);

        var statuses = await Task.WhenAll(
            FloodAsync(flood, async n => (await SendAsync(http, RawMcp.PostInSession(mcp, Notifications[n % Notifications.Length], sessionId))).StatusCode),
            FloodAsync(flood, async n => (await SendAsync(http, RawMcp.Post(hosts.WorkerMcp(), Notifications[n % Notifications.Length]))).StatusCode),
            FloodAsync(flood, async n => (await SendAsync(http, RawMcp.Post(legacy.MessageEndpoint, Notifications[n % Notifications.Length]))).StatusCode));
        for (var n = 0; n < flood; n++)
        {
            await sidecar.SendAsync(Notifications[n % Notifications.Length]);
        }

        Assert.All(statuses.SelectMany(s => s), status => Assert.Equal(HttpStatusCode.Accepted, status));
        // Nothing answered a notification: the next message on the legacy stream and on stdout is the ping's answer.
        await legacy.PostAsync("""{"jsonrpc":"2.0","id":"after","method":"ping"}""", Ct);
        Assert.Equal("after", (await legacy.ReadMessageAsync(Ct)).GetProperty("id").GetString());
        await sidecar.SendAsync("""{"jsonrpc":"2.0","id":"after","method":"ping"}""");
        Assert.Equal("after", (await sidecar.ReadAsync(Ct)).GetProperty("id").GetString());
        using var afterSession = await http.SendAsync(RawMcp.PostInSession(mcp, """{"jsonrpc":"2.0","id":"after","method":"ping"}""", sessionId), Ct);
        Assert.Equal(HttpStatusCode.OK, afterSession.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            var response = await http.SendAsync(request, Ct);
            response.Dispose();
            return response;
        }
    }

    /// <summary>Runs <paramref name="count"/> sends, eight at a time.</summary>
    private static async Task<HttpStatusCode[]> FloodAsync(int count, Func<int, Task<HttpStatusCode>> send)
    {
        var statuses = new HttpStatusCode[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct },
            async (n, _) => statuses[n] = await send(n));
        return statuses;
    }

    /// <summary>The next <paramref name="count"/> answers (not notifications), in the order they came.</summary>
    private static async Task<List<JsonElement>> ReadAnswersAsync(Func<CancellationToken, Task<JsonElement>> read, int count)
    {
        var answers = new List<JsonElement>();
        while (answers.Count < count)
        {
            var message = await read(Ct);
            if (!message.TryGetProperty("method", out _))
            {
                answers.Add(message);
            }
        }

        return answers;
    }

    private static string? TextOf(JsonElement answer) => answer.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString();

    public sealed class Hosts : Deployment
    {
        protected override void Configure(Dictionary<string, string> environment) => environment["McpAspire__RateLimiting__Enabled"] = "false";
    }
}
