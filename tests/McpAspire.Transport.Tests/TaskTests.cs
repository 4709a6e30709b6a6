using System.Diagnostics;
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
    /// <summary>The fixture's <c>McpAspire:State:ReplicaTtl</c> (the default) and the runner's beat interval.</summary>
    private static readonly TimeSpan ReplicaTtl = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan BeatInterval = TimeSpan.FromSeconds(1);

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
    public async Task NotesClear_StartedOnA_AsksForConfirmation_AnsweredOnB_Clears()
    {
        using var http = new HttpClient();
        await CallAsync(http, WorkerB, 3, "notes_put", """{"name":"task-clear","content":"to be cleared"}""", capabilities: "{}");
        Assert.Contains("task-clear", (await CallAsync(http, WorkerA, 30, "notes_list", "{}", capabilities: "{}")).ToolText(), StringComparison.Ordinal);
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
        Assert.False(list.GetProperty("result").TryGetProperty("isError", out var isError) && isError.GetBoolean(), list.GetRawText());
        Assert.DoesNotContain("task-clear", list.ToolText());
    }

    [Fact]
    public async Task CancelledOnB_EndsCancelled_AndStaysSo()
    {
        using var http = new HttpClient();
        // Two seconds of work: a runner that went on regardless would have overwritten the status within the window below.
        var started = await CallAsync(http, WorkerA, 7, "long_running", """{"steps":4,"delayMs":500}""");
        var id = started.GetProperty("result").GetProperty("taskId").GetString()!;

        var ack = await SendAsync(http, WorkerB, 8, "tasks/cancel", id, new JsonObject { ["taskId"] = id });
        AssertAcknowledged(ack);
        var cancelled = await GetAsync(http, WorkerA, id);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());

        // Cancelling an ended task is acknowledged and changes nothing.
        var again = await SendAsync(http, WorkerA, 9, "tasks/cancel", id, new JsonObject { ["taskId"] = id });
        AssertAcknowledged(again);

        // Read on both replicas, every read unchanged, until longer than the task's whole work has passed (and a beat of
        // the runner on A).
        var window = Stopwatch.StartNew();
        await Until.ValueAsync(async () =>
        {
            foreach (var worker in new[] { WorkerA, WorkerB })
            {
                var task = await GetAsync(http, worker, id);
                Assert.True(task.GetProperty("status").GetString() == "cancelled", $"after {window.Elapsed}: {task.GetRawText()}");
                Assert.Equal(cancelled.GetProperty("lastUpdatedAt").GetString(), task.GetProperty("lastUpdatedAt").GetString());
            }

            return window.Elapsed;
        }, elapsed => elapsed >= TimeSpan.FromSeconds(3), elapsed => $"3 s of reads (read for {elapsed})", Ct);
    }

    [Fact]
    public async Task ReplicaKilledMidTask_TheTaskEndsFailed_WithinTheReplicaTtlAndABeat()
    {
        await using var doomed = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), state.Environment, Ct);
        using var http = new HttpClient();
        var id = await StartLongTaskAsync(http, doomed, 10);
        // Running, and seen so from another replica, while its own replica beats.
        var running = await GetAsync(http, WorkerA, id);
        Assert.True(running.GetProperty("status").GetString() == "working", running.GetRawText());

        var killedAt = DateTimeOffset.UtcNow;
        await doomed.DisposeAsync();

        // Its last beat was before the kill, so a read begun more than ReplicaTtl and a beat interval after the kill finds
        // it stale and ends it; the read that ends it is the first to see it failed.
        var due = killedAt + ReplicaTtl + BeatInterval;
        var (asked, failed) = await Until.ValueAsync(async () => (Asked: DateTimeOffset.UtcNow, Task: await GetAsync(http, WorkerA, id)),
            read => read.Task.GetProperty("status").GetString() != "working" || read.Asked > due,
            read => $"task {id} to leave 'working': {read.Task.GetRawText()}", Ct, TimeSpan.FromSeconds(30));
        Assert.True(failed.GetProperty("status").GetString() == "failed", $"asked {asked:O}, {asked - killedAt} after the kill: {failed.GetRawText()}");
        Assert.Equal("The replica running this task stopped before it finished; call the tool again.",
            failed.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(-32603, failed.GetProperty("error").GetProperty("code").GetInt32());

        // Not before: the task last changed when it started, and its replica beat from then until the kill left no record
        // of its own, so it ends no sooner than ReplicaTtl and a beat after that change.
        var ended = DateTimeOffset.Parse(failed.GetProperty("lastUpdatedAt").GetString()!, CultureInfo.InvariantCulture);
        var lastChange = DateTimeOffset.Parse(running.GetProperty("lastUpdatedAt").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(ended - lastChange >= ReplicaTtl + BeatInterval, $"ended {ended:O}, last changed {lastChange:O}");
        Assert.True(ended - killedAt <= ReplicaTtl + BeatInterval + (asked > due ? asked - due : TimeSpan.Zero) + TimeSpan.FromSeconds(1),
            $"ended {ended:O}, {ended - killedAt} after the kill");
    }

    [Fact]
    public async Task ReplicaPausedPastTheReplicaTtl_TheTaskEndsFailed_AndTheReplicaStopsItWhenItRunsAgain()
    {
        await using var paused = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), state.Environment, Ct);
        using var http = new HttpClient();
        var id = await StartLongTaskAsync(http, paused, 15);

        await paused.PauseAsync();
        JsonElement failed;
        try
        {
            failed = await UntilStatusAsync(http, WorkerA, id, "failed", TimeSpan.FromSeconds(30));
        }
        finally
        {
            await paused.ResumeAsync();
        }

        // Its client was told the task failed, so the replica that wakes up stops running it, and writes nothing over it.
        await paused.WaitForOutputAsync(line => line.Contains($"Task {id} was ended failed by another replica while it ran here", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), Ct);
        var after = await GetAsync(http, WorkerB, id);
        Assert.Equal("failed", after.GetProperty("status").GetString());
        Assert.Equal(failed.GetProperty("lastUpdatedAt").GetString(), after.GetProperty("lastUpdatedAt").GetString());
    }

    [Fact]
    public async Task ReplicaDrainedMidTask_TheTaskEndsFailed_AtOnce()
    {
        var draining = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), state.Environment, Ct);
        await using (draining)
        {
            using var http = new HttpClient();
            var id = await StartLongTaskAsync(http, draining, 11);

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
        var ttl = TimeSpan.FromSeconds(4);
        var shortLived = new Dictionary<string, string>(state.Environment) { ["McpAspire__TaskTtl"] = ttl.ToString("c", CultureInfo.InvariantCulture) };
        await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), shortLived, Ct);
        var mcp = new Uri(worker.BaseUri, "/mcp");
        using var http = new HttpClient();
        var started = await CallAsync(http, mcp, 12, "long_running", """{"steps":1,"delayMs":0}""");
        var id = started.GetProperty("result").GetProperty("taskId").GetString()!;
        Assert.Equal(4000, started.GetProperty("result").GetProperty("ttlMs").GetInt64());
        var completed = await UntilStatusAsync(http, mcp, id, "completed");
        var lastChange = DateTimeOffset.Parse(completed.GetProperty("lastUpdatedAt").GetString()!, CultureInfo.InvariantCulture);

        // Kept: there, unchanged, at every read until a second before its TTL is over.
        await Until.ValueAsync(async () =>
        {
            var kept = await GetAsync(http, mcp, id);
            Assert.Equal("completed", kept.GetProperty("status").GetString());
            Assert.Equal("Completed 1 steps.", kept.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
            return DateTimeOffset.UtcNow;
        }, now => now >= lastChange + ttl - TimeSpan.FromSeconds(1), now => $"reads until a second before the TTL is over (last at {now:O})", Ct);

        // Then dropped, not before its TTL is over (and reads, every 10 ms, do not keep it).
        var (answered, answer) = await Until.ValueAsync(
            async () => { var got = await SendAsync(http, mcp, 13, "tasks/get", id, new JsonObject { ["taskId"] = id }); return (At: DateTimeOffset.UtcNow, Got: got); },
            read => !read.Got.TryGetProperty("result", out _), read => $"the finished task to be dropped after its 4 s TTL: {read.Got.GetRawText()}", Ct);
        Assert.True(answered - lastChange >= ttl, $"dropped by {answered:O}, {answered - lastChange} after its last change");
        Assert.Equal(-32602, answer.ErrorCode());
        Assert.Equal($"Unknown task '{id}': no task of yours has this id. A task is kept for 00:00:04 after its last change, then dropped.", answer.ErrorMessage());
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

    /// <summary>Starts a <c>long_running</c> task of 50 s on <paramref name="worker"/> and returns its id.</summary>
    private static async Task<string> StartLongTaskAsync(HttpClient http, HostProcess worker, int requestId) =>
        (await CallAsync(http, new Uri(worker.BaseUri, "/mcp"), requestId, "long_running", """{"steps":100,"delayMs":500}"""))
            .GetProperty("result").GetProperty("taskId").GetString()!;

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
