using System.Collections.Concurrent;

namespace McpAspire.Reliability.Tests.Infrastructure;

/// <summary>
/// Samples the resident memory and threads of a set of processes every 500 ms, and compares the first third of the
/// run with the last: a leak shows as growth that does not level off.
/// </summary>
internal sealed class ProcessSampler : IDisposable
{
    /// <summary>Growth allowed from the first third to the last: GC heaps and pools settle; a leak keeps going.</summary>
    private const double MemoryGrowth = 1.5;
    private const long MemorySlackKiB = 64 * 1024;
    private const int ThreadSlack = 16;

    private readonly ConcurrentDictionary<(int Pid, string Role), List<ProcessStats>> _samples = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ProcessSampler(Func<IEnumerable<(int Pid, string Role)>> processes) => _loop = RunAsync(processes);

    private async Task RunAsync(Func<IEnumerable<(int Pid, string Role)>> processes)
    {
        // Two samples a second, from the first moment to Stop().
        using var clock = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            do
            {
                foreach (var process in processes())
                {
                    if (ProcessStats.Of(process.Pid) is { } stats)
                    {
                        var list = _samples.GetOrAdd(process, _ => []);
                        lock (list)
                        {
                            list.Add(stats);
                        }
                    }
                }
            }
            while (await clock.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Stop()
    {
        _stop.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    /// <summary>Per process sampled through the whole run (a sidecar replaced midway is not), first third against last.</summary>
    public IEnumerable<Drift> Drift()
    {
        var longest = _samples.Values.Max(s => s.Count);
        foreach (var ((pid, role), samples) in _samples.Where(s => s.Value.Count >= longest * 0.9 && s.Value.Count >= 6))
        {
            var third = samples.Count / 3;
            var first = samples.Take(third).ToList();
            var last = samples.Skip(samples.Count - third).ToList();
            var firstRss = Median(first.Select(s => s.ResidentKiB));
            var lastRss = Median(last.Select(s => s.ResidentKiB));
            var firstThreads = first.Max(s => s.Threads);
            var lastThreads = last.Max(s => s.Threads);
            yield return new Drift(role, pid, firstRss, lastRss, firstThreads, lastThreads,
                lastRss <= firstRss * MemoryGrowth + MemorySlackKiB && lastThreads <= firstThreads + ThreadSlack);
        }
    }

    public string Report() => string.Join(Environment.NewLine, Drift().Select(d => $"  {d}"));

    private static long Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }
}
