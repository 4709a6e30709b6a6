using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace McpAspire.Testing;

/// <summary>The stdio sidecar spawned by hand, so a test can write exact lines and see every byte of stdout.</summary>
public sealed class RawSidecar : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly Task _pump;
    private readonly List<JsonElement> _unclaimed = [];

    private RawSidecar(Process process)
    {
        _process = process;
        _pump = PumpStdoutAsync();
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.BeginErrorReadLine();
    }

    public IReadOnlyCollection<string> Stderr => _stderr;

    public int ProcessId => _process.Id;

    /// <summary>Starts the built sidecar, or a published <paramref name="executable"/>.</summary>
    public static RawSidecar Start(IReadOnlyDictionary<string, string>? environment = null, string? executable = null)
    {
        var start = new ProcessStartInfo(executable ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (executable is null)
        {
            start.ArgumentList.Add(RepoLayout.ProjectDll("McpAspire.StdioSidecar"));
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return new RawSidecar(Process.Start(start)!);
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Writes <paramref name="line"/> as it is, not as text (it may be invalid UTF-8), and a newline.</summary>
    public async Task SendBytesAsync(ReadOnlyMemory<byte> line)
    {
        await _process.StandardInput.FlushAsync();
        await _process.StandardInput.BaseStream.WriteAsync(line);
        await _process.StandardInput.BaseStream.WriteAsync("\n"u8.ToArray());
        await _process.StandardInput.BaseStream.FlushAsync();
    }

    public Task InitializeAsync() =>
        SendAsync(RawMcp.Initialize).ContinueWith(_ => SendAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""")).Unwrap();

    /// <summary>
    /// The next line on stdout, parsed; it must be JSON. The default deadline covers a cold start of the process while
    /// the rest of the suite starts its own hosts on the same two cores.
    /// </summary>
    public async Task<JsonElement> ReadAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var deadline = timeout ?? TimeSpan.FromSeconds(60);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(deadline);
        try
        {
            var line = await _stdout.Reader.ReadAsync(cts.Token);
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The sidecar wrote no line within {deadline}.");
        }
    }

    /// <summary>
    /// The response to <paramref name="id"/>: requests run concurrently, so messages read on the way are kept for
    /// later calls. Every line on the way must be JSON-RPC.
    /// </summary>
    public async Task<JsonElement> ReadResponseAsync(int id, CancellationToken cancellationToken)
    {
        while (true)
        {
            var index = _unclaimed.FindIndex(message => HasId(message, id));
            if (index >= 0)
            {
                var found = _unclaimed[index];
                _unclaimed.RemoveAt(index);
                return found;
            }

            var next = await ReadAsync(cancellationToken);
            Assert.Equal("2.0", next.GetProperty("jsonrpc").GetString());
            _unclaimed.Add(next);
        }
    }

    private static bool HasId(JsonElement message, int id) =>
        message.TryGetProperty("id", out var got) && got.ValueKind == JsonValueKind.Number && got.GetInt32() == id;

    public void CloseStdin() => _process.StandardInput.Close();

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        await _pump.WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Whatever stdout carried that a test did not read yet.</summary>
    public IEnumerable<string> RemainingStdout()
    {
        while (_stdout.Reader.TryRead(out var line))
        {
            yield return line;
        }
    }

    private async Task PumpStdoutAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            await _stdout.Writer.WriteAsync(line);
        }

        _stdout.Writer.Complete();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
