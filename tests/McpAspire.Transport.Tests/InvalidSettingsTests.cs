using System.Diagnostics;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// A setting out of range stops every host at start-up with the validation message on one line of stderr and exit
/// code 1: no stack trace and no abort, on the HTTP hosts and on the stdio sidecar alike; a Redis CA file that is not a
/// PEM certificate likewise, and a scaled-out front-end without Redis.
/// </summary>
public sealed class InvalidSettingsTests
{
    private const string Expected = "Invalid settings: PermitLimit: The field RateLimitingOptions.PermitLimit must be between 1 and 1000000.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("McpAspire.HttpWorker")]
    [InlineData("McpAspire.SseFrontEnd")]
    [InlineData("McpAspire.StdioSidecar")]
    public async Task PermitLimitOutOfRange_StopsTheHost_WithOneLineOnStderr_AndExitCode1(string project) =>
        // A Redis nobody answers on: the front-end scales out, which needs one named; the host stops before using it.
        Assert.Equal(Expected, await StopLineAsync(project, new() { ["McpAspire__RateLimiting__PermitLimit"] = "100000000", ["ConnectionStrings__cache"] = "127.0.0.1:1" }));

    [Fact]
    public async Task FrontEndWithoutRedis_StopsSayingThatScaleOutNeedsIt_AndHowToRunOneReplica() =>
        Assert.Equal(
            "Invalid settings: WithMcpAspireScaleOut needs Redis: set ConnectionStrings:cache (the connection string builder.AddMcpAspireState(\"cache\") reads), or remove WithMcpAspireScaleOut() to run one replica with its sessions in memory.",
            await StopLineAsync("McpAspire.SseFrontEnd", []));

    [Theory]
    [InlineData("McpAspire.HttpWorker")]
    [InlineData("McpAspire.StdioSidecar")]
    public async Task TlsCaCertificatePathThatIsNotAPemCertificate_StopsTheHost_SayingWhich(string project)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "not a certificate", Ct);

            var line = await StopLineAsync(project, new() { ["McpAspire__State__TlsCaCertificatePath"] = file, ["ConnectionStrings__cache"] = "127.0.0.1:1,ssl=true" });

            Assert.StartsWith($"Invalid settings: McpAspire:State:TlsCaCertificatePath '{file}' is not a readable PEM certificate: ", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AuthServerWithoutRedis_StopsSayingWhichConnectionStringToSet() =>
        Assert.Equal(
            "Invalid settings: ConnectionStrings:cache must be set: the authorization server keeps clients, grants, tokens and signing keys in Redis, shared by every replica.",
            await StopLineAsync("McpAspire.AuthServer", new() { ["McpAspire__AuthServer__Upstream__Authority"] = "https://login.example.com/" }));

    [Fact]
    public async Task AuthServerWithTheDevelopmentFormInProduction_StopsSayingWhatToSetInstead()
    {
        var line = await StopLineAsync("McpAspire.AuthServer", new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__cache"] = "127.0.0.1:1",
            ["McpAspire__AuthServer__Users__alice__Password"] = "alice",
        });

        Assert.StartsWith("Invalid settings: ", line, StringComparison.Ordinal);
        Assert.Contains("McpAspire:AuthServer:Users (the development sign-in form) is refused outside Development: set McpAspire:AuthServer:Upstream instead.", line, StringComparison.Ordinal);
    }

    /// <summary>Asserts the host stops with exit code 1, no stack trace and exactly one "Invalid settings:" line on stderr, and returns that line.</summary>
    private static async Task<string> StopLineAsync(string project, Dictionary<string, string> settings)
    {
        var dll = RepoLayout.ProjectDll(project);
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll),
        };
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        var output = $"{await stdout}{await stderr}";

        Assert.True(process.ExitCode == 1, $"exit code {process.ExitCode}:{Environment.NewLine}{output}");
        var line = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("Invalid settings:", StringComparison.Ordinal));
        Assert.DoesNotContain(output.Split('\n'), line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        return line.TrimEnd('\r');
    }
}
