using System.Diagnostics;
using ModelContextProtocol.Client;

namespace McpAspire.Bench;

internal static class Measure
{
    /// <summary>Calls echo <paramref name="warmUp"/> times unmeasured, then <paramref name="calls"/> times measured, one at a time.</summary>
    public static Task<LatencyStats> EchoAsync(McpClient client, int warmUp, int calls, CancellationToken cancellationToken)
    {
        var arguments = new Dictionary<string, object?> { ["message"] = "ping" };
        return SequentialAsync(() => client.CallToolAsync("echo", arguments, cancellationToken: cancellationToken).AsTask(), warmUp, calls);
    }

    /// <summary>Runs <paramref name="operation"/> <paramref name="warmUp"/> times unmeasured, then <paramref name="calls"/> times measured, one at a time.</summary>
    public static async Task<LatencyStats> SequentialAsync(Func<Task> operation, int warmUp, int calls)
    {
        for (var i = 0; i < warmUp; i++)
        {
            await operation();
        }

        var samples = new double[calls];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        total.Stop();
        Array.Sort(samples);
        return new LatencyStats(calls / total.Elapsed.TotalSeconds, Percentile(samples, 0.50), Percentile(samples, 0.90), Percentile(samples, 0.99));
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];
}
