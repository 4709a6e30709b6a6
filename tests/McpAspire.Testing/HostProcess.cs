using System.Collections.Concurrent;
using System.Diagnostics;

namespace McpAspire.Testing;

/// <summary>A built host running as a child process on a loopback port that Kestrel picks.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "Now listening on: ";
    private const string StartedLine = "Application started.";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<Uri> _addresses = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly string _ready;
    private int _disposed;

    private HostProcess(Process process, string ready)
    {
        _process = process;
        _ready = ready;
    }

    /// <summary>The first address the host listens on.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Every address the host listens on, in the order Kestrel reported them.</summary>
    public IReadOnlyList<Uri> Addresses => [.. _addresses];

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the host wrote to stdout and stderr so far, for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public static Task<HostProcess> StartAsync(string dll, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken, params string[] arguments) =>
        StartAsync(dll, environment, ListeningPrefix, arguments, cancellationToken);

    /// <summary>
    /// Starts a process that is ready once a line contains <paramref name="ready"/> (a web host: once it has started,
    /// listening on every address). Web hosts run in Development unless <paramref name="environment"/> says otherwise:
    /// loopback clients then need no credentials, as on a developer's machine.
    /// </summary>
    public static async Task<HostProcess> StartAsync(string dll, IReadOnlyDictionary<string, string>? environment, string ready, string[] arguments, CancellationToken cancellationToken)
    {
        // A project's built assembly runs on the dotnet host; a Native AOT publish is its own executable.
        var native = !dll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(native ? dll : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // As in a container (WORKDIR /app): the content root, and so appsettings.json, is the app's own folder.
            WorkingDirectory = Path.GetDirectoryName(dll),
        };
        if (!native)
        {
            start.ArgumentList.Add(dll);
        }

        if (ready == ListeningPrefix)
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add("http://127.0.0.1:0");
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        SetOutputForTests(start.Environment);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        // Every test and benchmark client comes from the same loopback address; the per-client limit is tested on its own.
        start.Environment["McpAspire__Security__RequestsPerClientPerSecond"] = "1000000";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var host = new HostProcess(new Process { StartInfo = start, EnableRaisingEvents = true }, ready);
        host._process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.OnLine(e.Data);
        // Exited can be raised before the last lines are read; WaitForExitAsync returns once both streams reached their end,
        // so the failure carries everything the host wrote.
        host._process.Exited += (_, _) => _ = host._process.WaitForExitAsync().ContinueWith(
            _ => host._listening.TrySetException(
                new InvalidOperationException($"{Path.GetFileName(dll)} exited before listening:{Environment.NewLine}{host.Output}")),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        host._process.Start();
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();

        try
        {
            host.BaseUri = await host._listening.Task.WaitAsync(StartTimeout, cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>
    /// What every host a test starts gets: the lifetime's lines (tests wait on them), one line per log entry, and settings
    /// read once.
    /// </summary>
    public static void SetOutputForTests(IDictionary<string, string?> environment)
    {
        environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        environment["Logging__Console__FormatterName"] = "simple";
        environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        // A host's settings do not change during a run, and every process of the run shares the user's inotify instances
        // (128 by default on Linux): a host that cannot watch its appsettings files does not start at all.
        environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
    }

    /// <summary>Sends SIGTERM, as a container platform does on scale-in, and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        await SignalAsync("TERM");
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>Freezes the process (SIGSTOP), as a long pause or a starved node would: it holds its sockets and does nothing.</summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>Lets a paused process run on (SIGCONT).</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>
    /// What the host's <c>/health</c> says now: Healthy, Degraded, or Unhealthy with 503 (also its answer until the host's
    /// warm-up has ended).
    /// </summary>
    public async Task<string> HealthAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(BaseUri, "/health"), cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>
    /// Waits until <c>/health</c> answers 200 (Healthy or Degraded), as a platform's readiness probe does before it sends
    /// the host traffic: until the host's warm-up has ended it answers 503. Asked over plain HTTP where the host listens
    /// on it (probes are exempt from HTTPS).
    /// </summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var health = new Uri(Addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp) ?? BaseUri, "/health");
        await Until.ValueAsync(
            async () =>
            {
                using var response = await http.GetAsync(health, cancellationToken);
                return response.StatusCode;
            },
            status => (int)status is >= 200 and < 300,
            status => $"{health} to answer 200 (it says {(int)status}):{Environment.NewLine}{Output}", cancellationToken, TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits until a line of output satisfies <paramref name="predicate"/>.</summary>
    public async Task WaitForOutputAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (!_output.Any(predicate))
        {
            try
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No matching output within {timeout}:{Environment.NewLine}{Output}");
            }
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (_ready != ListeningPrefix)
        {
            if (line.Contains(_ready, StringComparison.Ordinal))
            {
                _listening.TrySetResult(new Uri("tcp://127.0.0.1"));
            }

            return;
        }

        var at = line.IndexOf(ListeningPrefix, StringComparison.Ordinal);
        if (at >= 0)
        {
            _addresses.Enqueue(new Uri(line[(at + ListeningPrefix.Length)..].Trim()));
        }
        else if (line.Contains(StartedLine, StringComparison.Ordinal) && _addresses.TryPeek(out var first))
        {
            _listening.TrySetResult(first);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }
}
