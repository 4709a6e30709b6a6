using System.Collections.ObjectModel;
using McpAspire.Hosting.Tasks;

namespace McpAspire.State.Tests;

/// <summary>
/// What the task store cases write (a tool's result, its input requests and their answers, as the runner and McpTasks
/// store them) and how they read it back: every field of a task, at instants a stopped clock gives.
/// </summary>
internal static class TaskSamples
{
    public const string Result = """{"content":[{"type":"text","text":"Cleared 3 notes."}],"isError":false}""";
    public const string OtherResult = """{"content":[{"type":"text","text":"Cleared 0 notes."}],"isError":false}""";
    public const string ClientCancelled = "Cancelled by the client.";
    public const string ReplicaStopped = "The replica running this task stopped before it finished.";
    public const string ReplicaStoppedError =
        """{"code":-32603,"message":"The replica running this task stopped before it finished; call the tool again."}""";
    public const string Waiting = "Waiting for input: answer confirm, reason with tasks/update.";
    public const string Confirm =
        """{"method":"elicitation/create","params":{"message":"Clear all 3 notes — sure?","requestedSchema":{"type":"object","properties":{"confirm":{"type":"boolean"}}}}}""";
    public const string Reason =
        """{"method":"elicitation/create","params":{"message":"Why?","requestedSchema":{"type":"object","properties":{"reason":{"type":"string"}}}}}""";
    public const string Accepted = """{"action":"accept","content":{"confirm":true}}""";
    public const string Because = """{"action":"accept","content":{"reason":"spring cleaning"}}""";
    public const string Declined = """{"action":"decline"}""";

    public static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LongTtl = TimeSpan.FromHours(1);
    public static readonly ReadOnlyDictionary<string, string> NoInput = ReadOnlyDictionary<string, string>.Empty;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A clock stopped at the current whole millisecond (Redis keeps a task's times in milliseconds), moved only by the test.</summary>
    public static StoppableWallClock StoppedNow() =>
        new() { StoppedAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) };

    /// <summary>A task as a call to a task tool creates it (TaskCallFilter): working, nothing said, asked or given yet.</summary>
    public static TaskRecord NewTask(TimeProvider clock, string owner = "alice")
    {
        var now = clock.GetUtcNow();
        return new TaskRecord($"{Guid.NewGuid():N}", owner, "long_running", TaskStatuses.Working, null, now, now, now, null, null, NoInput);
    }

    public static string UnknownId() => $"task-{Guid.NewGuid():N}";

    /// <summary>What a task's runner records when its tool asks for input.</summary>
    public static Task<TaskWrite> AskAsync(ITaskStore store, string id, Dictionary<string, string> asked, string requestState) =>
        store.ChangeAsync(id, TaskStatuses.InputRequired, Waiting, asked: asked, requestState: requestState, cancellationToken: Ct);

    /// <summary>What McpTasks records for a task whose replica has not beaten for too long.</summary>
    public static Task<TaskWrite> FailAsync(ITaskStore store, string id) =>
        store.ChangeAsync(id, TaskStatuses.Failed, ReplicaStopped, errorJson: ReplicaStoppedError, cancellationToken: Ct);

    public static async Task<TaskRecord> ReadAsync(ITaskStore store, string id)
    {
        var task = await store.GetAsync(id, Ct);
        Assert.NotNull(task);
        return task;
    }

    /// <summary>Asserts every field of <paramref name="actual"/>, its input requests by content.</summary>
    public static void AssertTask(TaskRecord expected, TaskRecord actual)
    {
        Assert.Equal(expected with { Asked = NoInput }, actual with { Asked = NoInput });
        Assert.Equal(Flat(expected.Asked), Flat(actual.Asked));
    }

    public static Dictionary<string, string> Map(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>The pairs in key order, on one line an assertion shows whole.</summary>
    public static string Flat(IReadOnlyDictionary<string, string> pairs) =>
        string.Join("; ", pairs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
