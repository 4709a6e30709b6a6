using McpAspire.Abstractions;
using McpAspire.Hosting;
using McpAspire.Hosting.Tasks;
using McpAspire.State.Resilience;
using McpAspire.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using static McpAspire.State.Tests.TaskSamples;

namespace McpAspire.State.Tests;

/// <summary>
/// The task store in Redis, against every server (embedded Garnet, Debian's redis-server and a Redis Cluster): the
/// cases of <see cref="TaskStoreTests"/>, and those between replicas, each a host of its own with its own connection
/// and clock under one key prefix. A replica that stops beating leaves its last beat for the others to judge, and the
/// failure one of them records wins over anything it writes later; answers given on one replica are taken once;
/// a completion and a cancellation or failure at the same instant on two replicas leave exactly one of them.
/// </summary>
public abstract class SharedTaskStoreTests<TServer> : TaskStoreTests, IAsyncDisposable where TServer : RedisTestServer
{
    private const int Rounds = 100;
    private readonly TServer server;
    private readonly Dictionary<string, string?> shared = new() { ["McpAspire:State:KeyPrefix"] = $"ts{Guid.NewGuid():N}"[..16] };
    private readonly List<StateHost> replicas = [];

    protected SharedTaskStoreTests(TServer server)
    {
        server.SkipIfMissing();
        this.server = server;
    }

    private protected override async Task<ITaskStore> ReplicaAsync(TimeSpan taskTtl, TimeProvider time)
    {
        var replica = await StateHost.StartAsync(server, shared);
        replicas.Add(replica);
        var services = replica.Services;
        return new RedisTaskStore(services.GetRequiredService<IConnectionMultiplexer>(), services.GetRequiredService<StateKeys>(),
            services.GetRequiredService<RedisResilience>(), Options.Create(new McpAspireOptions { TaskTtl = taskTtl }), time);
    }

    [Fact]
    public async Task ReplicaStopsBeating_OthersReadItsLastBeatUnchanged_AndTheFailureOneRecordsWinsOverItsLateResult()
    {
        var running = StoppedNow();
        var reading = new StoppableWallClock { StoppedAt = running.StoppedAt };
        var a = await ReplicaAsync(LongTtl, running);
        var b = await ReplicaAsync(LongTtl, reading);
        var c = await ReplicaAsync(LongTtl, reading);
        var task = NewTask(running);
        await a.CreateAsync(task, Ct);

        // While A beats, B reads the task working with A's latest beat.
        for (var beat = 0; beat < 3; beat++)
        {
            running.StoppedAt += OneSecond;
            Assert.Equal(TaskStatuses.Working, await a.BeatAsync(task.Id, Ct));
            AssertTask(task with { Beat = running.GetUtcNow() }, await ReadAsync(b, task.Id));
        }

        // A falls silent. However late and however often the others read, the task stands as A left it: how old a beat
        // may be is the reader's judgement (McpTasks, by McpAspire:State:ReplicaTtl), not the store's.
        var lastBeat = running.GetUtcNow();
        reading.StoppedAt = lastBeat + TimeSpan.FromMinutes(1);
        AssertTask(task with { Beat = lastBeat }, await ReadAsync(b, task.Id));
        AssertTask(task with { Beat = lastBeat }, await ReadAsync(c, task.Id));

        // B and C both judge it dead at once: one failure is recorded, the other finds the task ended.
        var failures = await Task.WhenAll(FailAsync(b, task.Id), FailAsync(c, task.Id));
        Assert.Equal((TaskWrite.NotApplied, TaskWrite.Applied), (failures.Min(), failures.Max()));
        var failed = task with
        {
            Status = TaskStatuses.Failed, Message = ReplicaStopped, ErrorJson = ReplicaStoppedError, UpdatedAt = reading.GetUtcNow(), Beat = lastBeat,
        };
        AssertTask(failed, await ReadAsync(a, task.Id));

        // A was cut off, not dead: its next beat learns the task failed, and its result is refused.
        running.StoppedAt = reading.StoppedAt + OneSecond;
        Assert.Equal(TaskStatuses.Failed, await a.BeatAsync(task.Id, Ct));
        Assert.Equal(TaskWrite.NotApplied, await a.ChangeAsync(task.Id, TaskStatuses.Completed, "Done.", resultJson: Result, cancellationToken: Ct));
        AssertTask(failed with { Beat = running.GetUtcNow() }, await ReadAsync(b, task.Id));
    }

    [Fact]
    public async Task AnsweredOnOneReplica_TakenOnBothAtOnce_GoesToExactlyOne()
    {
        var clock = StoppedNow();
        var a = await ReplicaAsync(LongTtl, clock);
        var b = await ReplicaAsync(LongTtl, clock);
        var tasks = Enumerable.Range(0, Rounds).Select(_ => NewTask(clock)).ToList();
        foreach (var task in tasks)
        {
            await a.CreateAsync(task, Ct);
            Assert.Equal(TaskWrite.Applied, await AskAsync(a, task.Id, Map(("confirm", Confirm), ("reason", Reason)), $"sealed-{task.Id}"));
            Assert.Equal(TaskWrite.Applied, await b.AnswerAsync(task.Id, Map(("confirm", Accepted)), Ct));
            Assert.Null(await a.TakeInputAsync(task.Id, Ct));
            Assert.Equal(TaskWrite.Applied, await b.AnswerAsync(task.Id, Map(("reason", Because)), Ct));
        }

        var takes = await Task.WhenAll(tasks.Select(async task =>
        {
            var onA = a.TakeInputAsync(task.Id, Ct);
            var onB = b.TakeInputAsync(task.Id, Ct);
            await Task.WhenAll(onA, onB);
            return (Task: task, OnA: await onA, OnB: await onB);
        }));

        foreach (var take in takes)
        {
            var input = Assert.Single(new[] { take.OnA, take.OnB }.OfType<TaskInput>());
            Assert.Equal($"confirm={Accepted}; reason={Because}", Flat(input.Answers));
            Assert.Equal($"sealed-{take.Task.Id}", input.RequestState);
            var resumed = await ReadAsync(b, take.Task.Id);
            Assert.Equal((TaskStatuses.Working, ""), (resumed.Status, Flat(resumed.Asked)));
        }
    }

    [Fact]
    public async Task CompletedOnOneReplica_CancelledOrFailedOnAnotherAtOnce_ExactlyOneApplies_AndTheRecordIsItsWinners()
    {
        // Each replica's clock stands at its own instant, so the time a record was last changed names its writer.
        var completing = StoppedNow();
        var ending = new StoppableWallClock { StoppedAt = completing.StoppedAt + OneSecond };
        var a = await ReplicaAsync(LongTtl, completing);
        var b = await ReplicaAsync(LongTtl, ending);
        var tasks = Enumerable.Range(0, Rounds).Select(_ => NewTask(completing)).ToList();
        foreach (var task in tasks)
        {
            await a.CreateAsync(task, Ct);
        }

        var rounds = await Task.WhenAll(tasks.Select(async (task, round) =>
        {
            var cancelling = round % 2 == 0;
            Task<TaskWrite> Complete() => a.ChangeAsync(task.Id, TaskStatuses.Completed, "Done.", resultJson: Result, cancellationToken: Ct);
            Task<TaskWrite> End() => cancelling
                ? b.ChangeAsync(task.Id, TaskStatuses.Cancelled, ClientCancelled, cancellationToken: Ct)
                : FailAsync(b, task.Id);
            // Which write leaves first alternates as well.
            Task<TaskWrite> completed, ended;
            if (round % 4 < 2)
            {
                completed = Complete();
                ended = End();
            }
            else
            {
                ended = End();
                completed = Complete();
            }

            await Task.WhenAll(completed, ended);
            return (Task: task, Cancelling: cancelling, Completed: await completed, Ended: await ended, Stored: await ReadAsync(a, task.Id));
        }));

        foreach (var (task, cancelling, completed, ended, stored) in rounds)
        {
            Assert.True((completed, ended) is (TaskWrite.Applied, TaskWrite.NotApplied) or (TaskWrite.NotApplied, TaskWrite.Applied),
                $"Task {task.Id}: the completion was {completed} and the {(cancelling ? "cancellation" : "failure")} {ended}; exactly one must apply.");
            var winner = completed == TaskWrite.Applied
                ? task with { Status = TaskStatuses.Completed, Message = "Done.", ResultJson = Result, UpdatedAt = completing.GetUtcNow() }
                : cancelling
                    ? task with { Status = TaskStatuses.Cancelled, Message = ClientCancelled, UpdatedAt = ending.GetUtcNow() }
                    : task with { Status = TaskStatuses.Failed, Message = ReplicaStopped, ErrorJson = ReplicaStoppedError, UpdatedAt = ending.GetUtcNow() };
            AssertTask(winner, stored);
        }

        var won = rounds.Count(r => r.Completed == TaskWrite.Applied);
        TestContext.Current.TestOutputHelper?.WriteLine($"{won} of {Rounds} completions won over the other replica's end.");
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = replicas.Count - 1; i >= 0; i--)
        {
            await replicas[i].DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class GarnetTaskStoreTests(GarnetRedisServer server) : SharedTaskStoreTests<GarnetRedisServer>(server), IClassFixture<GarnetRedisServer>;

public sealed class RedisTaskStoreTests(DebianRedisServer server) : SharedTaskStoreTests<DebianRedisServer>(server), IClassFixture<DebianRedisServer>;

/// <summary>The same suite on a three-primary Redis Cluster: a task is one hash, so every script stays in one slot.</summary>
public sealed class ClusterTaskStoreTests(RedisClusterServer server) : SharedTaskStoreTests<RedisClusterServer>(server), IClassFixture<RedisClusterServer>;
