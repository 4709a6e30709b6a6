using System.Diagnostics;

namespace McpAspire.Bench;

internal sealed record LoadStats(int Completed, int Failed, double PerSecond, double P50, double P90, double P99, string? FirstError)
{
    /// <summary>How long the load ran before this measurement began (<see cref="WarmUpPlan"/>).</summary>
    public TimeSpan WarmedUp { get; init; }

    /// <summary>
    /// The server process's CPU time (user and system) over the measurement, when it was read: on a shared machine a
    /// steadier measure of a server's cost than its rate, which moves with whatever else got the cores.
    /// </summary>
    public TimeSpan? ServerCpu { get; init; }

    /// <summary>Server CPU microseconds per answered call; NaN when the CPU was not read.</summary>
    public double CpuPerCall => ServerCpu is { } cpu && Completed + Failed > 0 ? cpu.TotalMicroseconds / (Completed + Failed) : double.NaN;

    /// <summary>The slowest and the fastest of the rounds this was combined from (<see cref="Combine"/>).</summary>
    public (double Min, double Max) RoundRange { get; init; } = (PerSecond, PerSecond);

    /// <summary>Rounds of equal length as one result: the mean rate, the median of each percentile, every call counted.</summary>
    public static LoadStats Combine(IReadOnlyList<LoadStats> rounds)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }

        return new LoadStats(
            rounds.Sum(r => r.Completed),
            rounds.Sum(r => r.Failed),
            rounds.Average(r => r.PerSecond),
            Median(rounds.Select(r => r.P50)),
            Median(rounds.Select(r => r.P90)),
            Median(rounds.Select(r => r.P99)),
            rounds.Select(r => r.FirstError).FirstOrDefault(e => e is not null))
        {
            RoundRange = (rounds.Min(r => r.PerSecond), rounds.Max(r => r.PerSecond)),
            ServerCpu = rounds.All(r => r.ServerCpu is not null) ? rounds.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.ServerCpu!.Value) : null,
        };
    }
}

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
