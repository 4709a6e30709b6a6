using System.Diagnostics;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// A setting out of range stops every host at start-up with the validation message on one line of stderr and exit
/// code 1: no stack trace and no abort, on the HTTP hosts and on the stdio sidecar alike.
/// </summary>
public sealed class InvalidSettingsTests
{
    private const string Expected = "Invalid settings: PermitLimit: The field RateLimitingOptions.PermitLimit must be between 1 and 1000000.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("McpAspire.HttpWorker")]
    [InlineData("McpAspire.SseFrontEnd")]
    [InlineData("McpAspire.StdioSidecar")]
    public async Task PermitLimitOutOfRange_StopsTheHost_WithOneLineOnStderr_AndExitCode1(string project)
    {
        var dll = RepoLayout.ProjectDll(project);
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll),
        };
        start.Environment["McpAspire__RateLimiting__PermitLimit"] = "100000000";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        var output = $"{await stdout}{await stderr}";

        Assert.True(process.ExitCode == 1, $"exit code {process.ExitCode}:{Environment.NewLine}{output}");
        Assert.Equal([Expected], (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("Invalid settings:", StringComparison.Ordinal)));
        Assert.DoesNotContain(output.Split('\n'), line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }
}
