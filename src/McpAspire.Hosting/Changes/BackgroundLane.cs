using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace McpAspire.Hosting.Changes;

/// <summary>
/// One background thread that runs, in order, the continuations awaited onto it (<c>await lane.SwitchTo()</c>): work
/// that must be done but not ahead of serving requests. What runs there goes on until its first wait that does not
/// complete at once, then resumes wherever that wait resumes (the thread pool). Disposing it lets the thread finish what
/// is queued and end.
/// </summary>
internal sealed class BackgroundLane : IDisposable
{
    private readonly BlockingCollection<Action> _queue = [];

    public BackgroundLane(string name) =>
        new Thread(Run) { IsBackground = true, Name = name, Priority = ThreadPriority.BelowNormal }.Start();

    public Switch SwitchTo() => new(this);

    public void Dispose() => _queue.CompleteAdding();

    private void Run()
    {
        foreach (var continuation in _queue.GetConsumingEnumerable())
        {
            continuation();
        }
    }

    private void Enqueue(Action continuation)
    {
        try
        {
            _queue.Add(continuation);
        }
        catch (InvalidOperationException)
        {
            // The lane has been disposed with the host: the continuation still runs, on the thread pool.
            ThreadPool.UnsafeQueueUserWorkItem(static state => state(), continuation, preferLocal: false);
        }
    }

    /// <summary>The awaitable of <see cref="SwitchTo"/>: never complete at once, so the continuation always moves.</summary>
    public readonly struct Switch(BackgroundLane lane) : ICriticalNotifyCompletion
    {
        public Switch GetAwaiter() => this;

        public bool IsCompleted => false;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => lane.Enqueue(continuation);

        public void UnsafeOnCompleted(Action continuation) => lane.Enqueue(continuation);
    }
}
