using System.Diagnostics;

namespace McpAspire.Bench;

/// <summary>
/// A closed-loop load driver: <c>concurrency</c> workers each run one operation at a time, back to back. A warm-up is
/// run until the rate is steady (<see cref="WarmUpPlan"/>) and thrown away; then operations are measured until
/// <c>count</c> have been issued or <c>duration</c> has passed, whichever comes first, so every row is bounded in
/// requests and in time.
/// </summary>
internal static class Load
{
    public static async Task<LoadStats> RunAsync(
        Func<int, CancellationToken, Task> operation, int concurrency, WarmUpPlan warmUp, int count, TimeSpan duration, CancellationToken cancellationToken)
    {
        var warmedUp = await warmUp.RunAsync(async round => (await MeasureAsync(operation, concurrency, int.MaxValue, round, cancellationToken)).PerSecond);
        return await MeasureAsync(operation, concurrency, count, duration, cancellationToken) with { WarmedUp = warmedUp };
    }

    /// <summary>One measured run, no warm-up.</summary>
    public static async Task<LoadStats> MeasureAsync(
        Func<int, CancellationToken, Task> operation, int concurrency, int count, TimeSpan duration, CancellationToken cancellationToken)
    {
        var issued = 0;
        var failed = 0;
        string? firstError = null;
        var samples = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = samples[worker] = new List<double>(Math.Min(count / concurrency + 1, 100_000));
            while (Interlocked.Increment(ref issued) <= count && clock.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await operation(worker, cancellationToken);
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or IOException or ModelContextProtocol.McpException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, ex.Message, null);
                }
            }
        }));
        clock.Stop();

        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        return all.Length == 0
            ? new LoadStats(0, failed, 0, double.NaN, double.NaN, double.NaN, firstError)
            : new LoadStats(all.Length, failed, all.Length / clock.Elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.90), Percentile(all, 0.99), firstError);
    }

    public static double Percentile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Max(0, Math.Ceiling(p * sorted.Length) - 1))];
}
