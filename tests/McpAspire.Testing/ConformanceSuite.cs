using System.Text.RegularExpressions;

namespace McpAspire.Testing;

/// <summary>Runs <c>@modelcontextprotocol/conformance</c> (pinned in js/package.json) against a server URL and reads its summary.</summary>
public static partial class ConformanceSuite
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Scenario name → failed check count, for every scenario the suite ran; and the suite's whole output.</summary>
    public static async Task<(IReadOnlyDictionary<string, int> Failures, string Output)> RunAsync(Uri mcp, CancellationToken cancellationToken, string? scenario = null)
    {
        string[] arguments = ["server", "--url", mcp.ToString()];
        if (scenario is not null)
        {
            arguments = [.. arguments, "--scenario", scenario];
        }

        var (_, failures, output) = await RunSuiteAsync(arguments, cancellationToken);
        // One scenario prints "Passed: 2/2, 0 failed" instead of the per-scenario summary.
        if (scenario is not null && SingleResultLine().Match(output) is { Success: true } single)
        {
            failures[scenario] = int.Parse(single.Groups["failed"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return failures.Count == 0
            ? throw new InvalidOperationException($"The conformance suite printed no summary:{Environment.NewLine}{output}")
            : (failures, output);
    }

    /// <summary>
    /// Runs what a specification revision requires (<c>--requirements</c>), at that revision's wire. Returns the scored
    /// scenarios with their failed check counts, apart from the ones the suite lists as not scored (extensions and
    /// pending, with theirs), the suite's exit code (0 when every scored scenario passed) and its output.
    /// </summary>
    public static async Task<(int ExitCode, IReadOnlyDictionary<string, int> Scored, IReadOnlyDictionary<string, int> NotScored, string Output)> RunRequirementsAsync(
        Uri mcp, string revision, CancellationToken cancellationToken)
    {
        var results = Directory.CreateTempSubdirectory("mcpaspire-conformance-");
        var (exitCode, failures, output) = await RunSuiteAsync(["server", "--url", mcp.ToString(), "--requirements", revision, "--output-dir", results.FullName], cancellationToken);
        var notScored = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in NotScoredLine().Matches(output).Select(m => m.Groups["name"].Value))
        {
            if (failures.Remove(name, out var failed))
            {
                notScored[name] = failed;
            }
        }

        // The summary names failing scenarios only; each scenario's checks.json says which check failed and why.
        foreach (var failed in failures.Concat(notScored).Where(f => f.Value > 0).Select(f => f.Key))
        {
            foreach (var checks in results.GetFiles("checks.json", SearchOption.AllDirectories).Where(f => f.Directory!.Name.StartsWith($"server-{failed}-", StringComparison.Ordinal)))
            {
                using var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(checks.FullName, cancellationToken));
                foreach (var check in document.RootElement.EnumerateArray().Where(c => c.GetProperty("status").GetString() == "FAILURE"))
                {
                    output += $"{Environment.NewLine}FAILED {failed} / {check.GetProperty("id").GetString()}: {(check.TryGetProperty("errorMessage", out var why) ? why.GetString() : check.GetProperty("description").GetString())}";
                }
            }
        }

        results.Delete(recursive: true);

        return failures.Count == 0
            ? throw new InvalidOperationException($"The conformance suite printed no summary (exit {exitCode}):{Environment.NewLine}{output}")
            : (exitCode, failures, notScored, output);
    }

    private static async Task<(int ExitCode, Dictionary<string, int> Failures, string Output)> RunSuiteAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var run = await NodeTooling.RunNodeAsync(["node_modules/@modelcontextprotocol/conformance/dist/index.js", .. arguments], Timeout, cancellationToken);
        var failures = SummaryLine().Matches(run.Output)
            .ToDictionary(match => match.Groups["name"].Value, match => int.Parse(match.Groups["failed"].Value, System.Globalization.CultureInfo.InvariantCulture));
        return (run.ExitCode, failures, run.Output);
    }

    [GeneratedRegex(@"^[✓✗] (?<name>[\w\-/]+): (?<passed>\d+) passed, (?<failed>\d+) failed", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"^  [✓✗] (?<name>[\w\-/]+) \((?<reason>[\w\-]+)\)", RegexOptions.Multiline)]
    private static partial Regex NotScoredLine();

    [GeneratedRegex(@"^Passed: \d+/\d+, (?<failed>\d+) failed", RegexOptions.Multiline)]
    private static partial Regex SingleResultLine();
}
