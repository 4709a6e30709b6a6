using McpAspire.Hosting.Changes;

namespace McpAspire.Hosting.Tests;

/// <summary>
/// The lane that a listen stream's teardown moves to once its client has left: what is awaited onto it runs on its one
/// thread, one continuation at a time, in the order awaited; once the lane is disposed it still runs, on the pool.
/// </summary>
public sealed class BackgroundLaneTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WhatIsAwaitedOntoTheLane_RunsOnItsThread_OneAtATime_InOrder()
    {
        using var lane = new BackgroundLane("test lane");
        var order = new List<int>();
        var threads = new HashSet<(int Id, string? Name)>();

        async Task MoveAsync(int index)
        {
            await lane.SwitchTo();
            lock (order)
            {
                order.Add(index);
                threads.Add((Environment.CurrentManagedThreadId, Thread.CurrentThread.Name));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 20).Select(MoveAsync)).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // One thread ran them all, so never two at once; and in the order they were awaited onto it.
        var thread = Assert.Single(threads);
        Assert.Equal("test lane", thread.Name);
        Assert.Equal(Enumerable.Range(0, 20), order);
    }

    [Fact]
    public async Task OnceDisposed_WhatIsAwaitedOntoItStillRuns_OnThePool()
    {
        var lane = new BackgroundLane("closed lane");
        lane.Dispose();

        async Task<bool> MoveAsync()
        {
            await lane.SwitchTo();
            return Thread.CurrentThread.IsThreadPoolThread;
        }

        Assert.True(await MoveAsync().WaitAsync(TimeSpan.FromSeconds(30), Ct));
    }
}
