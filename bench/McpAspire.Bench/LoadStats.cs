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
