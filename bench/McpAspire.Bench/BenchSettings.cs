namespace McpAspire.Bench;

/// <summary>
/// How much each section measures: the full run for the numbers, or a smoke run with tiny counts so CI keeps the
/// benchmark working. <c>Rounds</c> and <c>RoundDuration</c>: the throughput section's measured rounds per server,
/// taken in turn across all its servers, and how long each measures.
/// </summary>
internal sealed record BenchSettings(
    bool Smoke,
    int Calls,
    int WarmUp,
    int Concurrency,
    WarmUpPlan LoadWarmUp,
    int LoadCount,
    TimeSpan LoadDuration,
    int Rounds,
    TimeSpan RoundDuration,
    int Sessions,
    int StartupRuns)
{
    public static BenchSettings Full { get; } = new(false, 2000, 200, 32, new WarmUpPlan(TimeSpan.FromSeconds(3), 6, 10), 100_000, TimeSpan.FromSeconds(10),
        3, TimeSpan.FromSeconds(4), 1000, 5);

    public static BenchSettings SmokeRun { get; } = new(true, 20, 5, 4, new WarmUpPlan(TimeSpan.FromSeconds(1), 1, 1), 100, TimeSpan.FromSeconds(2),
        1, TimeSpan.FromSeconds(1), 20, 1);
}
