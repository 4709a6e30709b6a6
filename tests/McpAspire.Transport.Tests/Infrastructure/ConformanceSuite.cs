using System.Text.RegularExpressions;

namespace McpAspire.Transport.Tests.Infrastructure;

/// <summary>Runs <c>@modelcontextprotocol/conformance</c> 0.1.16 against a server URL and reads its summary.</summary>
internal static partial class ConformanceSuite
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Scenario name → failed check count, for every scenario the suite ran; and the suite's whole output.</summary>
    public static async Task<(IReadOnlyDictionary<string, int> Failures, string Output)> RunAsync(Uri mcp, CancellationToken cancellationToken, string? scenario = null)
    {
        string[] arguments = ["node_modules/@modelcontextprotocol/conformance/dist/index.js", "server", "--url", mcp.ToString()];
        if (scenario is not null)
        {
            arguments = [.. arguments, "--scenario", scenario];
        }

        var run = await NodeTooling.RunNodeAsync(arguments, Timeout, cancellationToken);
        var failures = SummaryLine().Matches(run.Output)
            .ToDictionary(match => match.Groups["name"].Value, match => int.Parse(match.Groups["failed"].Value, System.Globalization.CultureInfo.InvariantCulture));
        // One scenario prints "Passed: 2/2, 0 failed" instead of the per-scenario summary.
        if (scenario is not null && SingleResultLine().Match(run.Output) is { Success: true } single)
        {
            failures[scenario] = int.Parse(single.Groups["failed"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (failures.Count == 0)
        {
            throw new InvalidOperationException($"The conformance suite printed no summary (exit {run.ExitCode}):{Environment.NewLine}{run.Output}");
        }

        return (failures, run.Output);
    }

    [GeneratedRegex(@"^[✓✗] (?<name>[\w\-/]+): (?<passed>\d+) passed, (?<failed>\d+) failed", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"^Passed: \d+/\d+, (?<failed>\d+) failed", RegexOptions.Multiline)]
    private static partial Regex SingleResultLine();
}
