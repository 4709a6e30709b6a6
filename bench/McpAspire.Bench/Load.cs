using System.Diagnostics;

namespace McpAspire.Bench;

internal sealed record LoadStats(int Completed, int Failed, double PerSecond, double P50, double P90, double P99, string? FirstError);

/// <summary>
/// A closed-loop load driver: <c>concurrency</c> workers each run one operation at a time, back to back. A warm-up is
/// run and thrown away; then operations are measured until <c>count</c> have been issued or <c>duration</c> has passed,
/// whichever comes first, so every row is bounded in requests and in time.
/// </summary>
internal static class Load
{
    public static async Task<LoadStats> RunAsync(
        Func<int, CancellationToken, Task> operation, int concurrency, int warmUp, int count, TimeSpan duration, CancellationToken cancellationToken)
    {
        var warmed = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            while (Interlocked.Increment(ref warmed) <= warmUp)
            {
                await operation(worker, cancellationToken);
            }
        }));

        var issued = 0;
        var failed = 0;
        string? firstError = null;
        var samples = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = samples[worker] = new List<double>(count / concurrency + 1);
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
