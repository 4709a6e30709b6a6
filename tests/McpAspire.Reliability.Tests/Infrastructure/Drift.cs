using System.Collections.Concurrent;

namespace McpAspire.Reliability.Tests.Infrastructure;

internal sealed record Drift(string Role, int Pid, long FirstRssKiB, long LastRssKiB, int FirstThreads, int LastThreads, bool Steady)
{
    public override string ToString() =>
        $"{Role} {Pid}: RSS {FirstRssKiB / 1024} → {LastRssKiB / 1024} MiB, threads {FirstThreads} → {LastThreads}{(Steady ? "" : " (NOT steady)")}";
}
