using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace McpAspire.Bench;

/// <summary>
/// wrk (Debian's <c>wrk</c> package) as the HTTP load driver where it is installed: it costs the 2 cores far less than
/// a .NET client, so the servers get the machine. A warm-up run is thrown away; the measured run is bounded in time.
/// </summary>
internal static partial class Wrk
{
    public static bool IsInstalled { get; } = Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(dir => File.Exists(Path.Combine(dir, "wrk"))) is true;

    public static async Task<LoadStats> RunAsync(Uri endpoint, string body, IReadOnlyDictionary<string, string> headers, int connections,
        TimeSpan warmUp, TimeSpan duration, CancellationToken cancellationToken)
    {
        var script = Path.GetTempFileName();
        var lua = new StringBuilder();
        lua.AppendLine("wrk.method = \"POST\"");
        lua.AppendLine(CultureInfo.InvariantCulture, $"wrk.body = [[{body}]]");
        foreach (var (name, value) in headers)
        {
            lua.AppendLine(CultureInfo.InvariantCulture, $"wrk.headers[\"{name}\"] = \"{value}\"");
        }

        await File.WriteAllTextAsync(script, lua.ToString(), cancellationToken);
        try
        {
            await RunWrkAsync(endpoint, script, connections, warmUp, latency: false, cancellationToken);
            var output = await RunWrkAsync(endpoint, script, connections, duration, latency: true, cancellationToken);
            var perSecond = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var total = int.Parse(Requests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var failed = NonSuccess().Match(output) is { Success: true } non ? int.Parse(non.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            return new LoadStats(total - failed, failed, perSecond, Percentile(output, "50"), Percentile(output, "90"), Percentile(output, "99"),
                failed > 0 ? $"{failed} responses were not 2xx" : null);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static async Task<string> RunWrkAsync(Uri endpoint, string script, int connections, TimeSpan duration, bool latency, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "-t2", $"-c{connections}", $"-d{Math.Max(1, (int)duration.TotalSeconds)}s", "-s", script };
        if (latency)
        {
            arguments.Add("--latency");
        }

        arguments.Add(endpoint.ToString());
        using var wrk = Process.Start(new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await wrk.StandardOutput.ReadToEndAsync(cancellationToken);
        await wrk.WaitForExitAsync(cancellationToken);
        return wrk.ExitCode == 0 ? output : throw new InvalidOperationException($"wrk failed ({wrk.ExitCode}): {await wrk.StandardError.ReadToEndAsync(cancellationToken)}");
    }

    /// <summary>A latency percentile line (<c>  90%    6.49ms</c>) in milliseconds.</summary>
    private static double Percentile(string output, string percent)
    {
        var match = Regex.Match(output, $@"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();
}
