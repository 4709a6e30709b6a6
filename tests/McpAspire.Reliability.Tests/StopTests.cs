using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using McpAspire.Reliability.Tests.Infrastructure;
using McpAspire.Testing;

namespace McpAspire.Reliability.Tests;

/// <summary>
/// A platform stops a replica whenever it likes, start-up included: SIGTERM at random moments of each host's first
/// second or two ends it with exit code 0 (143, the runtime's default, only for a signal before the host began to
/// start), never an abort, an unhandled exception or an Error line.
/// </summary>
public sealed class StopTests(StopTests.Hosts hosts) : IClassFixture<StopTests.Hosts>
{
    private const int Stops = 50;
    private const int AtOnce = 2;
    private const string StopDuringStartUp = "Stop requested during start-up";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("McpAspire.HttpWorker")]
    [InlineData("McpAspire.SseFrontEnd")]
    [InlineData("McpAspire.AuthServer")]
    [InlineData("McpAspire.StdioSidecar")]
    public async Task SigtermAtRandomMomentsOfStartUp_ExitsWithZero_WithoutAnErrorOrAStack(string project)
    {
        Assert.SkipWhen(hosts.Server.Missing is not null, hosts.Server.Missing ?? "");

        // Once to learn how long this host takes to start here; that stop, while serving, must be clean too.
        var first = await StartAndStopAsync(project, stopAfter: null);
        AssertClean(first);
        var started = first.Started!.Value;

        // Moments from half the start-up time to three quarters past it (two hosts start at once, so each is slower than
        // that one alone): before the host listens, while it binds and starts its services, and just after.
        // A loaded machine stretches start-up unevenly, and the window that matters is narrow: more rounds until one signal
        // has come during start-up, at most three.
        var random = new Random(project.GetHashCode(StringComparison.Ordinal));
        var runs = new ConcurrentBag<Run>();
        for (var round = 0; round < 3 && (round == 0 || !runs.Any(run => run.Output.Contains(StopDuringStartUp, StringComparison.Ordinal))); round++)
        {
            var moments = Enumerable.Range(0, Stops).Select(_ => started * (0.5 + 1.25 * random.NextDouble())).ToList();
            await Parallel.ForEachAsync(moments, new ParallelOptions { MaxDegreeOfParallelism = AtOnce, CancellationToken = Ct },
                async (moment, _) => runs.Add(await StartAndStopAsync(project, moment)));
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{project}: started in {started.TotalMilliseconds:F0} ms; of {runs.Count} stops, {runs.Count(r => r.ExitCode == 143)} before it began to start, " +
            $"{runs.Count(r => r.Output.Contains(StopDuringStartUp, StringComparison.Ordinal))} during start-up");
        Assert.All(runs, AssertClean);
        // Some of the signals came while the host was starting, which is what this test is about.
        Assert.Contains(runs, run => run.Output.Contains(StopDuringStartUp, StringComparison.Ordinal));
    }

    private static void AssertClean(Run run)
    {
        var summary = $"stopped after {run.StopAfter?.TotalMilliseconds:F0} ms, exit {run.ExitCode}:{Environment.NewLine}{run.Output}";
        // 143 is the runtime's own answer to SIGTERM before the host has a handler for it: before it began to start.
        var beganToStart = run.Output.Contains("Now listening on", StringComparison.Ordinal) || run.Output.Contains("Application started", StringComparison.Ordinal)
            || run.Output.Contains(StopDuringStartUp, StringComparison.Ordinal);
        Assert.True(run.ExitCode == 0 || (run.ExitCode == 143 && !beganToStart), summary);
        Assert.DoesNotContain("Unhandled exception", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Output.Split('\n'), line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)
            || line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    /// <summary>
    /// Starts the host, sends SIGTERM after <paramref name="stopAfter"/> (or once it has started) and waits for it to exit.
    /// The sidecar's stdin stays open, as its client's would.
    /// </summary>
    private async Task<Run> StartAndStopAsync(string project, TimeSpan? stopAfter)
    {
        var dll = RepoLayout.ProjectDll(project);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll),
        };
        start.ArgumentList.Add(dll);
        if (project != "McpAspire.StdioSidecar")
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add("http://127.0.0.1:0");
        }

        foreach (var (key, value) in hosts.Environment)
        {
            start.Environment[key] = value;
        }

        HostProcess.SetOutputForTests(start.Environment);

        var output = new ConcurrentQueue<string>();
        var startedLine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data.Contains("Application started.", StringComparison.Ordinal))
            {
                startedLine.TrySetResult();
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        TimeSpan? started = null;
        if (stopAfter is { } moment)
        {
            // The point of the test: a moment chosen at random, not a wait for something to happen.
            await Task.Delay(moment, Ct);
        }
        else
        {
            await Task.WhenAny(startedLine.Task, process.WaitForExitAsync(Ct)).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            Assert.True(startedLine.Task.IsCompleted, $"{project} did not start:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
            started = clock.Elapsed;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(Ct);
        }

        try
        {
            // Returns once both output streams have reached their end too.
            await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return new Run(stopAfter, started, process.ExitCode, string.Join('\n', output));
    }

    private sealed record Run(TimeSpan? StopAfter, TimeSpan? Started, int ExitCode, string Output);

    /// <summary>The shared Redis with the settings every host needs to start; the hosts themselves are the test's.</summary>
    public sealed class Hosts : Deployment
    {
        protected override int FrontEndCount => 0;

        protected override int WorkerCount => 0;

        protected override void Configure(Dictionary<string, string> environment)
        {
            environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            environment["McpAspire__AuthServer__Issuer"] = "http://127.0.0.1:5290/";
            environment["McpAspire__AuthServer__Resources__0"] = "http://127.0.0.1:5280/mcp";
            environment["McpAspire__AuthServer__Users__alice__Name"] = "Alice";
        }
    }
}
