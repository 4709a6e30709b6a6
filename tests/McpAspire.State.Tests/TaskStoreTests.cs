using System.Diagnostics;
using McpAspire.Hosting.Tasks;
using McpAspire.Testing;
using static McpAspire.State.Tests.TaskSamples;

namespace McpAspire.State.Tests;

/// <summary>
/// The task store's rules, the same for every store, on one replica: a task reads back as written; a change applies
/// only while the task has not ended, and says so when it does not; input is taken once, and only when every request has
/// its answer; a beat records the beat alone; a task is dropped the task TTL after its last change. Each step runs at
/// an instant of the replica's clock the test sets, so every time read back is exact.
/// </summary>
public abstract class TaskStoreTests
{
    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A store as one replica has it: its own connection, the task TTL <paramref name="taskTtl"/>, the clock
    /// <paramref name="time"/>. Every replica of one test shares the tasks; the cases here open one.
    /// </summary>
    /// <summary>A replica of the store on a stopped clock, and one task created in it as a task tool's call creates it.</summary>
    private protected async Task<(StoppableWallClock Clock, ITaskStore Store, TaskRecord Task)> CreatedAsync(TimeSpan taskTtl)
    {
        var clock = StoppedNow();
        var store = await ReplicaAsync(taskTtl, clock);
        var task = NewTask(clock);
        await store.CreateAsync(task, Ct);
        return (clock, store, task);
    }

    private protected abstract Task<ITaskStore> ReplicaAsync(TimeSpan taskTtl, TimeProvider time);

    [Fact]
    public async Task Create_ThenGet_ReadsEveryFieldAsWritten_AndAnUnknownIdIsNull()
    {
        var clock = StoppedNow();
        var store = await ReplicaAsync(LongTtl, clock);
        var alices = NewTask(clock, "alice");
        clock.StoppedAt += OneSecond;
        var bobs = NewTask(clock, "bob");

        await store.CreateAsync(alices, Ct);
        await store.CreateAsync(bobs, Ct);

        // The store keeps each task's owner; answering "unknown" to any other caller is McpTasks' part, not the store's.
        AssertTask(alices, await ReadAsync(store, alices.Id));
        AssertTask(bobs, await ReadAsync(store, bobs.Id));
        Assert.Null(await store.GetAsync(UnknownId(), Ct));
    }

    [Fact]
    public async Task Completed_KeepsItsResult_AndMovesLastUpdated_ThenNoChangeApplies()
    {
        var (clock, store, task) = await CreatedAsync(LongTtl);

        clock.StoppedAt += OneSecond;
        Assert.Equal(TaskWrite.Applied, await store.ChangeAsync(task.Id, TaskStatuses.Working, "Halfway there.", cancellationToken: Ct));
        var halfway = task with { Message = "Halfway there.", UpdatedAt = clock.GetUtcNow() };
        AssertTask(halfway, await ReadAsync(store, task.Id));

        clock.StoppedAt += OneSecond;
        Assert.Equal(TaskWrite.Applied, await store.ChangeAsync(task.Id, TaskStatuses.Completed, null, resultJson: Result, cancellationToken: Ct));
        // A change without a message keeps the one before.
        var completed = halfway with { Status = TaskStatuses.Completed, ResultJson = Result, UpdatedAt = clock.GetUtcNow() };
        AssertTask(completed, await ReadAsync(store, task.Id));

        clock.StoppedAt += OneSecond;
        TaskWrite[] late =
        [
            await FailAsync(store, task.Id),
            await store.ChangeAsync(task.Id, TaskStatuses.Cancelled, ClientCancelled, cancellationToken: Ct),
            await store.ChangeAsync(task.Id, TaskStatuses.Completed, "Again.", resultJson: OtherResult, cancellationToken: Ct),
            await store.ChangeAsync(task.Id, TaskStatuses.Working, "Back to work.", cancellationToken: Ct),
            await AskAsync(store, task.Id, Map(("confirm", Confirm)), "sealed-state-1"),
            await store.AnswerAsync(task.Id, Map(("confirm", Accepted)), Ct),
        ];
        Assert.All(late, write => Assert.Equal(TaskWrite.NotApplied, write));
        Assert.Null(await store.TakeInputAsync(task.Id, Ct));
        AssertTask(completed, await ReadAsync(store, task.Id));
        Assert.Equal(TaskWrite.Unknown, await store.ChangeAsync(UnknownId(), TaskStatuses.Completed, null, resultJson: Result, cancellationToken: Ct));
    }

    [Fact]
    public async Task Failed_KeepsItsError_AndALateCompletionIsNotApplied()
    {
        var (clock, store, task) = await CreatedAsync(LongTtl);

        clock.StoppedAt += OneSecond;
        Assert.Equal(TaskWrite.Applied, await FailAsync(store, task.Id));
        var failed = task with { Status = TaskStatuses.Failed, Message = ReplicaStopped, ErrorJson = ReplicaStoppedError, UpdatedAt = clock.GetUtcNow() };
        clock.StoppedAt += OneSecond;

        Assert.Equal(TaskWrite.NotApplied, await store.ChangeAsync(task.Id, TaskStatuses.Completed, "Done.", resultJson: Result, cancellationToken: Ct));
        AssertTask(failed, await ReadAsync(store, task.Id));
    }

    [Fact]
    public async Task InputRequired_AnsweredInPart_IsNotTaken_AnsweredInFull_IsTakenOnceWithItsRequestState()
    {
        var (clock, store, task) = await CreatedAsync(LongTtl);

        clock.StoppedAt += OneSecond;
        var asked = Map(("confirm", Confirm), ("reason", Reason));
        Assert.Equal(TaskWrite.Applied, await AskAsync(store, task.Id, asked, "sealed-state-1"));
        var waiting = task with { Status = TaskStatuses.InputRequired, Message = Waiting, UpdatedAt = clock.GetUtcNow(), Asked = asked };
        AssertTask(waiting, await ReadAsync(store, task.Id));
        Assert.Null(await store.TakeInputAsync(task.Id, Ct));

        // An answer to a request not asked is ignored; the one asked for leaves only the other outstanding.
        clock.StoppedAt += OneSecond;
        Assert.Equal(TaskWrite.Applied, await store.AnswerAsync(task.Id, Map(("confirm", Accepted), ("unasked", Because)), Ct));
        var answeredInPart = waiting with { UpdatedAt = clock.GetUtcNow(), Asked = Map(("reason", Reason)) };
        AssertTask(answeredInPart, await ReadAsync(store, task.Id));
        clock.StoppedAt += OneSecond;
        Assert.Null(await store.TakeInputAsync(task.Id, Ct));
        AssertTask(answeredInPart, await ReadAsync(store, task.Id));

        Assert.Equal(TaskWrite.Applied, await store.AnswerAsync(task.Id, Map(("reason", Because)), Ct));
        clock.StoppedAt += OneSecond;
        var input = await store.TakeInputAsync(task.Id, Ct);

        Assert.NotNull(input);
        Assert.Equal($"confirm={Accepted}; reason={Because}", Flat(input.Answers));
        Assert.Equal("sealed-state-1", input.RequestState);
        // Working again with nothing asked; its status message is the runner's to replace.
        var resumed = await ReadAsync(store, task.Id);
        AssertTask(waiting with { Status = TaskStatuses.Working, Message = resumed.Message, UpdatedAt = clock.GetUtcNow(), Asked = NoInput }, resumed);
        Assert.Null(await store.TakeInputAsync(task.Id, Ct));
        Assert.Equal(TaskWrite.NotApplied, await store.AnswerAsync(task.Id, Map(("reason", Because)), Ct));
    }

    [Fact]
    public async Task AskingAgain_ReplacesTheRequests_AndDropsTheirAnswers()
    {
        var (clock, store, task) = await CreatedAsync(LongTtl);
        // Nothing is asked yet, and an unknown task takes no answers.
        Assert.Equal(TaskWrite.NotApplied, await store.AnswerAsync(task.Id, Map(("confirm", Accepted)), Ct));
        Assert.Null(await store.TakeInputAsync(task.Id, Ct));
        Assert.Equal(TaskWrite.Unknown, await store.AnswerAsync(UnknownId(), Map(("confirm", Accepted)), Ct));
        Assert.Null(await store.TakeInputAsync(UnknownId(), Ct));

        Assert.Equal(TaskWrite.Applied, await AskAsync(store, task.Id, Map(("confirm", Confirm)), "sealed-state-1"));
        Assert.Equal(TaskWrite.Applied, await store.AnswerAsync(task.Id, Map(("confirm", Accepted)), Ct));
        clock.StoppedAt += OneSecond;
        var askedAgain = Map(("confirm", Confirm.Replace("sure?", "really sure?", StringComparison.Ordinal)), ("reason", Reason));
        Assert.Equal(TaskWrite.Applied, await AskAsync(store, task.Id, askedAgain, "sealed-state-2"));

        var askingAgain = task with { Status = TaskStatuses.InputRequired, Message = Waiting, UpdatedAt = clock.GetUtcNow(), Asked = askedAgain };
        AssertTask(askingAgain, await ReadAsync(store, task.Id));
        Assert.Null(await store.TakeInputAsync(task.Id, Ct));
        Assert.Equal(TaskWrite.Applied, await store.AnswerAsync(task.Id, Map(("confirm", Declined), ("reason", Because)), Ct));
        var input = await store.TakeInputAsync(task.Id, Ct);
        Assert.NotNull(input);
        Assert.Equal($"confirm={Declined}; reason={Because}", Flat(input.Answers));
        Assert.Equal("sealed-state-2", input.RequestState);
    }

    [Fact]
    public async Task Cancelled_WhileWorking_BeatReportsIt_AndALateCompletionIsNotApplied()
    {
        var (clock, store, task) = await CreatedAsync(LongTtl);

        clock.StoppedAt += OneSecond;
        Assert.Equal(TaskWrite.Applied, await store.ChangeAsync(task.Id, TaskStatuses.Cancelled, ClientCancelled, cancellationToken: Ct));
        Assert.Equal(TaskStatuses.Cancelled, await store.BeatAsync(task.Id, Ct));
        var cancelled = task with { Status = TaskStatuses.Cancelled, Message = ClientCancelled, UpdatedAt = clock.GetUtcNow(), Beat = clock.GetUtcNow() };
        clock.StoppedAt += OneSecond;

        Assert.Equal(TaskWrite.NotApplied, await store.ChangeAsync(task.Id, TaskStatuses.Completed, "Done.", resultJson: Result, cancellationToken: Ct));
        // A second cancellation finds it ended too (McpTasks acknowledges both).
        Assert.Equal(TaskWrite.NotApplied, await store.ChangeAsync(task.Id, TaskStatuses.Cancelled, ClientCancelled, cancellationToken: Ct));
        AssertTask(cancelled, await ReadAsync(store, task.Id));
        Assert.Equal(TaskWrite.Unknown, await store.ChangeAsync(UnknownId(), TaskStatuses.Cancelled, ClientCancelled, cancellationToken: Ct));
    }

    [Fact]
    public async Task Cancelled_WhileWaitingForInput_ItsAnswersAreNeitherTakenNorRecorded()
    {
        var clock = StoppedNow();
        var store = await ReplicaAsync(LongTtl, clock);
        var answered = NewTask(clock);
        var halfAnswered = NewTask(clock);
        await store.CreateAsync(answered, Ct);
        await store.CreateAsync(halfAnswered, Ct);
        Assert.Equal(TaskWrite.Applied, await AskAsync(store, answered.Id, Map(("confirm", Confirm)), "sealed-state-1"));
        Assert.Equal(TaskWrite.Applied, await store.AnswerAsync(answered.Id, Map(("confirm", Accepted)), Ct));
        Assert.Equal(TaskWrite.Applied, await AskAsync(store, halfAnswered.Id, Map(("confirm", Confirm), ("reason", Reason)), "sealed-state-2"));
        Assert.Equal(TaskWrite.Applied, await store.AnswerAsync(halfAnswered.Id, Map(("confirm", Accepted)), Ct));

        clock.StoppedAt += OneSecond;
        Assert.Equal(TaskWrite.Applied, await store.ChangeAsync(answered.Id, TaskStatuses.Cancelled, ClientCancelled, cancellationToken: Ct));
        Assert.Equal(TaskWrite.Applied, await store.ChangeAsync(halfAnswered.Id, TaskStatuses.Cancelled, ClientCancelled, cancellationToken: Ct));
        var cancelledAt = clock.GetUtcNow();
        clock.StoppedAt += OneSecond;

        // Every request has its answer, but the task has ended: nothing to resume.
        Assert.Null(await store.TakeInputAsync(answered.Id, Ct));
        // The answer still missing is refused, and the request stays unanswered.
        Assert.Equal(TaskWrite.NotApplied, await store.AnswerAsync(halfAnswered.Id, Map(("reason", Because)), Ct));
        var cancelled = answered with { Status = TaskStatuses.Cancelled, Message = ClientCancelled, UpdatedAt = cancelledAt };
        AssertTask(cancelled, await ReadAsync(store, answered.Id));
        AssertTask(halfAnswered with { Status = TaskStatuses.Cancelled, Message = ClientCancelled, UpdatedAt = cancelledAt, Asked = Map(("reason", Reason)) },
            await ReadAsync(store, halfAnswered.Id));
    }

    [Fact]
    public async Task Beat_MovesTheBeatAlone_AndReportsTheStatus_NullForAnUnknownTask()
    {
        var (clock, store, task) = await CreatedAsync(LongTtl);

        clock.StoppedAt += OneSecond;
        Assert.Equal(TaskStatuses.Working, await store.BeatAsync(task.Id, Ct));
        AssertTask(task with { Beat = clock.GetUtcNow() }, await ReadAsync(store, task.Id));

        clock.StoppedAt += OneSecond;
        Assert.Equal(TaskWrite.Applied, await AskAsync(store, task.Id, Map(("confirm", Confirm)), "sealed-state-1"));
        var asking = task with { Status = TaskStatuses.InputRequired, Message = Waiting, UpdatedAt = clock.GetUtcNow(), Asked = Map(("confirm", Confirm)) };
        clock.StoppedAt += OneSecond;
        Assert.Equal(TaskStatuses.InputRequired, await store.BeatAsync(task.Id, Ct));
        AssertTask(asking with { Beat = clock.GetUtcNow() }, await ReadAsync(store, task.Id));

        // A beat for a task that is gone creates nothing.
        var unknown = UnknownId();
        Assert.Null(await store.BeatAsync(unknown, Ct));
        Assert.Null(await store.GetAsync(unknown, Ct));
    }

    [Fact]
    public async Task Expiry_AFinishedTask_IsReadableUntilTheTaskTtlAfterItsLastChange_ThenUnknown()
    {
        // Real time: Redis drops the key itself. A change 1.2 s after creation, read 1.5 s after that, shows that each
        // change renews the TTL; a task left as created is gone by then.
        var ttl = TimeSpan.FromSeconds(2);
        var store = await ReplicaAsync(ttl, TimeProvider.System);
        var finished = NewTask(TimeProvider.System);
        var untouched = NewTask(TimeProvider.System);
        await store.CreateAsync(finished, Ct);
        await store.CreateAsync(untouched, Ct);
        var created = Stopwatch.StartNew();
        await Until.TrueAsync(() => created.Elapsed >= TimeSpan.FromSeconds(1.2), () => "1.2 s after creation", Ct);

        // Started before the change is sent: the TTL it renews runs from later, so by this watch the task cannot go sooner.
        var changed = Stopwatch.StartNew();
        Assert.Equal(TaskWrite.Applied, await store.ChangeAsync(finished.Id, TaskStatuses.Completed, "Done.", resultJson: Result, cancellationToken: Ct));
        await Until.TrueAsync(() => changed.Elapsed >= ttl - TimeSpan.FromMilliseconds(500), () => "half a second before the task TTL runs out", Ct);
        var shortlyBefore = await store.GetAsync(finished.Id, Ct);
        var readBy = changed.Elapsed;
        var leftAsCreated = await store.GetAsync(untouched.Id, Ct);

        Assert.True(readBy < ttl, $"The read meant for shortly before the task TTL ran out ended {readBy.TotalMilliseconds:F0} ms after the change.");
        Assert.Equal((TaskStatuses.Completed, "Done.", Result), (shortlyBefore?.Status, shortlyBefore?.Message, shortlyBefore?.ResultJson));
        Assert.Null(leftAsCreated);

        // Reading does not renew it.
        await Until.ValueAsync(() => store.GetAsync(finished.Id, Ct), task => task is null,
            task => $"the finished task to be dropped (it still reads {task?.Status})", Ct, ttl + TimeSpan.FromSeconds(5));
        var goneBy = changed.Elapsed;
        Assert.True(goneBy >= ttl, $"The task was dropped {goneBy.TotalMilliseconds:F0} ms after its last change, within the task TTL ({ttl.TotalSeconds:F0} s).");
        Assert.Equal(TaskWrite.Unknown, await store.ChangeAsync(finished.Id, TaskStatuses.Cancelled, ClientCancelled, cancellationToken: Ct));
        Assert.Equal(TaskWrite.Unknown, await store.AnswerAsync(finished.Id, Map(("confirm", Accepted)), Ct));
        Assert.Null(await store.BeatAsync(finished.Id, Ct));
        Assert.Null(await store.GetAsync(finished.Id, Ct));
    }
}
