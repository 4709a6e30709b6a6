namespace McpAspire.Bench;

/// <summary>
/// Load before a measured run, in rounds, until the server has stopped getting faster: two rounds in a row no more than
/// 5% above the best before them. Under load .NET compiles its hot methods a second time, optimized, and on 2 cores that
/// goes on for 10–20 s (V8 does the same for Node); a fixed few seconds of warm-up would measure the JIT, and cost a
/// server the more the more code it runs.
/// </summary>
internal sealed record WarmUpPlan(TimeSpan Round, int MinRounds, int MaxRounds)
{
    /// <summary>Runs rounds of load (each returns what it reached, in calls/s) until the rate is steady; returns how long that took.</summary>
    public async Task<TimeSpan> RunAsync(Func<TimeSpan, Task<double>> round)
    {
        var best = 0.0;
        var flat = 0;
        var rounds = 0;
        while (rounds < MaxRounds && (rounds < MinRounds || flat < 2))
        {
            var rate = await round(Round);
            rounds++;
            flat = rate > best * 1.05 ? 0 : flat + 1;
            best = Math.Max(best, rate);
        }

        return Round * rounds;
    }

    public override string ToString() =>
        $"warm-up until steady ({Round.TotalSeconds:F0} s rounds until two in a row are no more than 5% above the best before them; {Round.TotalSeconds * MinRounds:F0}–{Round.TotalSeconds * MaxRounds:F0} s)";
}
