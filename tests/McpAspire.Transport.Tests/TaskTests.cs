using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// Tasks on any replica (the <c>io.modelcontextprotocol/tasks</c> extension at the 2026-07-28 wire): a task started on
/// one worker is followed, answered and cancelled on the other; it ends <c>failed</c>, saying why, when its replica is
/// killed or drained; a finished task is kept for the task TTL, then unknown; a client without the extension gets the
/// plain call it always got.
/// </summary>
[Collection(SharedStateGroup.Name)]
public sealed class TaskTests(SharedStateFixture state)
{
    private const string WithTasks = """{"elicitation":{},"extensions":{"io.modelcontextprotocol/tasks":{}}}""";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Uri WorkerA => new(state.WorkerA.BaseUri, "/mcp");

    private Uri WorkerB => new(state.WorkerB.BaseUri, "/mcp");

    [Fact]
    public async Task LongRunning_StartedOnA_FollowedOnB_CompletesWithItsResult()
    {
        using var http = new HttpClient();
        var started = await CallAsync(http, WorkerA, 1, "long_running", """{"steps":3,"delayMs":300}""");
        Assert.Equal("task", started.GetProperty("result").GetProperty("resultType").GetString());
        var id = started.GetProperty("result").GetProperty("taskId").GetString()!;
        Assert.Equal("working", started.GetProperty("result").GetProperty("status").GetString());

        var working = await GetAsync(http, WorkerB, id);
        Assert.Equal("working", working.GetProperty("status").GetString());
        var done = await UntilStatusAsync(http, WorkerB, id, "completed");

        Assert.Equal("Completed 3 steps.", done.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(3_600_000, done.GetProperty("ttlMs").GetInt64());
    }

    [Fact]
    public async Task ClientWithoutTheExtension_GetsThePlainCall()
    {
        using var http = new HttpClient();
        var plain = await CallAsync(http, WorkerA, 2, "long_running", """{"steps":1,"delayMs":0}""", capabilities: "{}");

        Assert.False(plain.GetProperty("result").TryGetProperty("taskId", out _), plain.GetRawText());
        Assert.Equal("Completed 1 steps.", plain.ToolText());
    }

    [Fact]
    public async Task NotesClear_AsksForConfirmation_AnsweredOnB_ClearsOnA()
    {
        using var http = new HttpClient();
        await CallAsync(http, WorkerB, 3, "notes_put", """{"name":"task-clear","content":"to be cleared"}""", capabilities: "{}");
        var started = await CallAsync(http, WorkerA, 4, "notes_clear", "{}");
        var id = started.GetProperty("result").GetProperty("taskId").GetString()!;

        var asking = await UntilStatusAsync(http, WorkerB, id, "input_required");
        var confirm = asking.GetProperty("inputRequests").GetProperty("confirm");
        Assert.Equal("elicitation/create", confirm.GetProperty("method").GetString());
        var ack = await SendAsync(http, WorkerB, 5, "tasks/update", id,
            new JsonObject { ["taskId"] = id, ["inputResponses"] = JsonNode.Parse("""{"confirm":{"action":"accept","content":{"confirm":true}}}""") });
        AssertAcknowledged(ack);

        var done = await UntilStatusAsync(http, WorkerB, id, "completed");
        Assert.StartsWith("Deleted ", done.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        var list = await CallAsync(http, WorkerB, 6, "notes_list", "{}", capabilities: "{}");
        Assert.DoesNotContain("task-clear", list.ToolText());
    }

    [Fact]
    public async Task CancelledOnB_EndsCancelled_AndStaysSo()
    {
        using var http = new HttpClient();
        var started = await CallAsync(http, WorkerA, 7, "long_running", """{"steps":100,"delayMs":500}""");
        var id = started.GetProperty("result").GetProperty("taskId").GetString()!;

        var ack = await SendAsync(http, WorkerB, 8, "tasks/cancel", id, new JsonObject { ["taskId"] = id });
        AssertAcknowledged(ack);
        var cancelled = await GetAsync(http, WorkerA, id);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());

        // Cancelling an ended task is acknowledged and changes nothing.
        var again = await SendAsync(http, WorkerA, 9, "tasks/cancel", id, new JsonObject { ["taskId"] = id });
        AssertAcknowledged(again);
        Assert.Equal("cancelled", (await GetAsync(http, WorkerB, id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReplicaKilledMidTask_TheTaskEndsFailed_WithinTheReplicaTtl()
    {
        await using var doomed = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), state.Environment, Ct);
        using var http = new HttpClient();
        var started = await CallAsync(http, new Uri(doomed.BaseUri, "/mcp"), 10, "long_running", """{"steps":100,"delayMs":500}""");
        var id = started.GetProperty("result").GetProperty("taskId").GetString()!;
        // Running, and seen so from another replica, while its own replica beats.
        var running = await GetAsync(http, WorkerA, id);
        Assert.True(running.GetProperty("status").GetString() == "working", running.GetRawText());

        await doomed.DisposeAsync();
        var failed = await UntilStatusAsync(http, WorkerA, id, "failed", TimeSpan.FromSeconds(30));

        // Ended by the other replica once the beat is older than ReplicaTtl (6 s by default) and a beat interval, not
        // before: the kill left no record of its own.
        Assert.Equal("The replica running this task stopped before it finished; call the tool again.",
            failed.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(-32603, failed.GetProperty("error").GetProperty("code").GetInt32());
        var ended = DateTimeOffset.Parse(failed.GetProperty("lastUpdatedAt").GetString()!, CultureInfo.InvariantCulture);
        var lastSeenWorking = DateTimeOffset.Parse(running.GetProperty("lastUpdatedAt").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(ended - lastSeenWorking >= TimeSpan.FromSeconds(6), $"ended {ended:O}, last seen working {lastSeenWorking:O}");
    }

    [Fact]
    public async Task ReplicaDrainedMidTask_TheTaskEndsFailed_AtOnce()
    {
        var draining = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), state.Environment, Ct);
        await using (draining)
        {
            using var http = new HttpClient();
            var started = await CallAsync(http, new Uri(draining.BaseUri, "/mcp"), 11, "long_running", """{"steps":100,"delayMs":500}""");
            var id = started.GetProperty("result").GetProperty("taskId").GetString()!;

            Assert.Equal(0, await draining.TerminateAsync(TimeSpan.FromSeconds(30)));

            var failed = await GetAsync(http, WorkerB, id);
            Assert.Equal("failed", failed.GetProperty("status").GetString());
            Assert.Equal("The replica running this task shut down before it finished; call the tool again.",
                failed.GetProperty("error").GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task FinishedTask_IsKeptForTheTaskTtl_ThenUnknown()
    {
        var shortLived = new Dictionary<string, string>(state.Environment) { ["McpAspire__TaskTtl"] = "00:00:02" };
        await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), shortLived, Ct);
        var mcp = new Uri(worker.BaseUri, "/mcp");
        using var http = new HttpClient();
        var started = await CallAsync(http, mcp, 12, "long_running", """{"steps":1,"delayMs":0}""");
        var id = started.GetProperty("result").GetProperty("taskId").GetString()!;
        Assert.Equal(2000, started.GetProperty("result").GetProperty("ttlMs").GetInt64());
        await UntilStatusAsync(http, mcp, id, "completed");

        var answer = await Until.ValueAsync(() => SendAsync(http, mcp, 13, "tasks/get", id, new JsonObject { ["taskId"] = id }),
            got => !got.TryGetProperty("result", out _), got => $"the finished task to be dropped after its 2 s TTL: {got.GetRawText()}", Ct);

        Assert.Equal(-32602, answer.ErrorCode());
        Assert.Equal($"Unknown task '{id}': no task of yours has this id. A task is kept for 00:00:02 after its last change, then dropped.", answer.ErrorMessage());
    }

    [Fact]
    public async Task TasksMethods_WithoutTheExtension_AreRefused_WithTheCapabilityNeeded()
    {
        using var http = new HttpClient();

        var refused = await SendAsync(http, WorkerA, 14, "tasks/get", "some-task", new JsonObject { ["taskId"] = "some-task" }, capabilities: "{}");

        Assert.Equal(-32021, refused.ErrorCode());
        Assert.True(refused.GetProperty("error").GetProperty("data").GetProperty("requiredCapabilities").GetProperty("extensions")
            .TryGetProperty("io.modelcontextprotocol/tasks", out _), refused.GetRawText());
    }

    /// <summary>An acknowledgement: a complete result that carries nothing of the task.</summary>
    private static void AssertAcknowledged(JsonElement answer)
    {
        var result = answer.GetProperty("result");
        Assert.Equal("complete", result.GetProperty("resultType").GetString());
        Assert.Equal(["_meta", "resultType"], result.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    private static Task<JsonElement> CallAsync(HttpClient http, Uri mcp, int id, string tool, string arguments, string capabilities = WithTasks) =>
        ReadAsync(http, ModernMcp.ToolCall(mcp, id, tool, arguments, capabilities));

    private static Task<JsonElement> SendAsync(HttpClient http, Uri mcp, int id, string method, string taskId, JsonObject parameters, string capabilities = WithTasks)
    {
        parameters["_meta"] = ModernMcp.Meta(capabilities);
        return ReadAsync(http, ModernMcp.Request(mcp, id, method, taskId, parameters));
    }

    private static async Task<JsonElement> ReadAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (var response = await http.SendAsync(request, Ct))
        {
            return await RawMcp.ReadMessageAsync(response, Ct);
        }
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, Uri mcp, string taskId)
    {
        var answer = await SendAsync(http, mcp, 99, "tasks/get", taskId, new JsonObject { ["taskId"] = taskId });
        return answer.TryGetProperty("result", out var task) ? task : throw new InvalidOperationException($"tasks/get failed: {answer.GetRawText()}");
    }

    private static Task<JsonElement> UntilStatusAsync(HttpClient http, Uri mcp, string taskId, string status, TimeSpan? timeout = null) =>
        Until.ValueAsync(() => GetAsync(http, mcp, taskId), task => task.GetProperty("status").GetString() == status,
            task => $"task {taskId} to reach '{status}': {task.GetRawText()}", Ct, timeout ?? TimeSpan.FromSeconds(20));
}
