using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace McpAspire.Bench;

/// <summary>
/// wrk (Debian's <c>wrk</c> package) as the HTTP load driver where it is installed: it costs the 2 cores far less than
/// a .NET client, so the servers get the machine. One driver per server: warmed up until the rate is steady
/// (<see cref="WarmUpPlan"/>), then measured in rounds bounded in time.
/// </summary>
internal sealed partial class Wrk : IDisposable
{
    public static bool IsInstalled { get; } = Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(dir => File.Exists(Path.Combine(dir, "wrk"))) is true;

    private readonly Uri _endpoint;
    private readonly string _script;
    private readonly int _connections;

    private Wrk(Uri endpoint, string script, int connections) => (_endpoint, _script, _connections) = (endpoint, script, connections);

    /// <summary>A driver that POSTs <paramref name="body"/> with <paramref name="headers"/> over <paramref name="connections"/> connections.</summary>
    public static async Task<Wrk> CreateAsync(Uri endpoint, string body, IReadOnlyDictionary<string, string> headers, int connections, CancellationToken cancellationToken)
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
        return new Wrk(endpoint, script, connections);
    }

    public Task<TimeSpan> WarmUpAsync(WarmUpPlan plan, CancellationToken cancellationToken) =>
        plan.RunAsync(async round => PerSecond(await RunAsync(round, latency: false, cancellationToken)));

    /// <summary>Load for <paramref name="duration"/>, not measured (a server that sat idle gets its threads back).</summary>
    public Task SettleAsync(TimeSpan duration, CancellationToken cancellationToken) => RunAsync(duration, latency: false, cancellationToken);

    public async Task<LoadStats> MeasureAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var output = await RunAsync(duration, latency: true, cancellationToken);
        var total = int.Parse(Requests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var failed = NonSuccess().Match(output) is { Success: true } non ? int.Parse(non.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new LoadStats(total - failed, failed, PerSecond(output), Percentile(output, "50"), Percentile(output, "90"), Percentile(output, "99"),
            failed > 0 ? $"{failed} responses were not 2xx" : null);
    }

    public void Dispose() => File.Delete(_script);

    private async Task<string> RunAsync(TimeSpan duration, bool latency, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "-t2", $"-c{_connections}", $"-d{Math.Max(1, (int)duration.TotalSeconds)}s", "-s", _script };
        if (latency)
        {
            arguments.Add("--latency");
        }

        arguments.Add(_endpoint.ToString());
        using var wrk = Process.Start(new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await wrk.StandardOutput.ReadToEndAsync(cancellationToken);
        await wrk.WaitForExitAsync(cancellationToken);
        return wrk.ExitCode == 0 ? output : throw new InvalidOperationException($"wrk failed ({wrk.ExitCode}): {await wrk.StandardError.ReadToEndAsync(cancellationToken)}");
    }

    private static double PerSecond(string output) => double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);

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
