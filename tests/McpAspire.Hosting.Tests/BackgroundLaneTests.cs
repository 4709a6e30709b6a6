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
        var running = 0;
        var mostAtOnce = 0;
        var order = new List<int>();
        var threads = new HashSet<string?>();

        async Task MoveAsync(int index)
        {
            await lane.SwitchTo();
            var now = Interlocked.Increment(ref running);
            mostAtOnce = Math.Max(mostAtOnce, now);
            lock (order)
            {
                order.Add(index);
                threads.Add(Thread.CurrentThread.Name);
            }

            // Long enough that a second thread running the lane's work would overlap this one.
            Thread.Sleep(2);
            Interlocked.Decrement(ref running);
        }

        await Task.WhenAll(Enumerable.Range(0, 20).Select(MoveAsync)).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(["test lane"], threads);
        Assert.Equal(1, mostAtOnce);
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
