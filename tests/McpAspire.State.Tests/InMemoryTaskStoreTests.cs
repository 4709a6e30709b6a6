using McpAspire.Abstractions;
using McpAspire.Hosting.Tasks;
using Microsoft.Extensions.Options;
using static McpAspire.State.Tests.TaskSamples;

namespace McpAspire.State.Tests;

/// <summary>
/// The task store of a host without Redis. It serves one replica only (its tasks live in this process, under one lock),
/// so the cases between replicas (<see cref="SharedTaskStoreTests{TServer}"/>) are not its. Its expiry runs on the
/// replica's clock, so here it is exact to the millisecond.
/// </summary>
public sealed class InMemoryTaskStoreTests : TaskStoreTests
{
    private protected override Task<ITaskStore> ReplicaAsync(TimeSpan taskTtl, TimeProvider time) =>
        Task.FromResult<ITaskStore>(new InMemoryTaskStore(Options.Create(new McpAspireOptions { TaskTtl = taskTtl }), time));

    [Fact]
    public async Task Expiry_ByTheStoresClock_IsExactlyTheTaskTtlAfterTheLastChange()
    {
        var ttl = TimeSpan.FromMinutes(1);
        var (clock, store, task) = await CreatedAsync(ttl);
        clock.StoppedAt += TimeSpan.FromSeconds(50);
        Assert.Equal(TaskWrite.Applied, await store.ChangeAsync(task.Id, TaskStatuses.Completed, "Done.", resultJson: Result, cancellationToken: Ct));
        var completed = task with { Status = TaskStatuses.Completed, Message = "Done.", ResultJson = Result, UpdatedAt = clock.GetUtcNow() };
        var ends = clock.GetUtcNow() + ttl;

        // Past the creation's TTL: the change renewed it.
        clock.StoppedAt = ends - TimeSpan.FromMilliseconds(1);
        AssertTask(completed, await ReadAsync(store, task.Id));
        clock.StoppedAt = ends;

        Assert.Null(await store.GetAsync(task.Id, Ct));
        Assert.Equal(TaskWrite.Unknown, await store.ChangeAsync(task.Id, TaskStatuses.Cancelled, ClientCancelled, cancellationToken: Ct));
        Assert.Null(await store.BeatAsync(task.Id, Ct));
    }
}
