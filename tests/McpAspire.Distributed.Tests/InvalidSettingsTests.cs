using System.Diagnostics;

namespace McpAspire.Distributed.Tests;

/// <summary>A wrong AppHost setting stops it before anything starts: one line on stderr that names the setting, exit code 1.</summary>
public sealed class InvalidSettingsTests
{
    [Fact]
    public async Task UnknownCacheChoice_StopsTheAppHost_WithOneLineOnStderr_AndExitCode1()
    {
        var ct = TestContext.Current.CancellationToken;
        var appHost = typeof(Projects.McpAspire_AppHost).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [appHost, "--McpAspire:Cache=bogus"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(appHost)!,
        };

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(2), ct);

        Assert.True(process.ExitCode == 1, $"exit code {process.ExitCode}:{Environment.NewLine}{await stdout}{await stderr}");
        Assert.Equal("Invalid settings: McpAspire:Cache must be 'auto', 'redis', 'garnet' or 'external', not 'bogus'.", (await stderr).Trim());
    }
}
