namespace McpAspire.Bench;

/// <summary>How much each section measures: the full run for the numbers, or a smoke run with tiny counts so CI keeps the benchmark working.</summary>
internal sealed record BenchSettings(
    bool Smoke,
    int Calls,
    int WarmUp,
    int Concurrency,
    int LoadWarmUp,
    int LoadCount,
    TimeSpan LoadDuration,
    int Sessions,
    int StartupRuns)
{
    public static BenchSettings Full { get; } = new(false, 2000, 200, 32, 2000, 100_000, TimeSpan.FromSeconds(10), 1000, 5);

    public static BenchSettings SmokeRun { get; } = new(true, 20, 5, 4, 20, 100, TimeSpan.FromSeconds(2), 20, 1);
}
