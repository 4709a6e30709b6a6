using System.Diagnostics;
using System.Globalization;
using System.Text;
using McpAspire.Testing;

namespace McpAspire.Bench;

/// <summary>
/// Scale from zero: time from a stateless server's process start to its first successful <c>tools/call echo</c> (the
/// client retrying from the moment the process starts, as a platform's activator holds the first request), for the
/// Native AOT worker, the framework-dependent worker (both as deployed: Production, an API key, redis-server), the
/// SDK's plain stateless <c>MapMcp</c> and the TypeScript SDK's stateless server. Then the AOT worker against the JIT
/// worker at steady state: resident memory at idle and after 10,000 calls, calls/s and CPU per call.
/// </summary>
internal static class ColdStart
{
    private const int MemoryCalls = 10_000;

    public static async Task RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var starts = settings.Smoke ? 1 : Math.Max(10, settings.StartupRuns);
        using var redis = RedisCost.StartSection($"Cold start to the first answered call ({starts} starts each: median and max)", out var redisPort);
        if (redis is null)
        {
            return;
        }

        using var aot = new NativeAotExecutable(PublishedProject.Worker);
        if (!aot.Available)
        {
            Console.WriteLine($"The Native AOT worker is left out: {NativePublish.NoNativeAot}");
        }

        var deployed = new Dictionary<string, string>(AsDeployed.Production())
        {
            ["ConnectionStrings__cache"] = $"127.0.0.1:{redisPort}",
            ["McpAspire__RateLimiting__PermitLimit"] = "1000000",
            // Every call of the steady-state rows comes from one loopback client.
            ["McpAspire__Security__RequestsPerClientPerSecond"] = "1000000",
        };
        var servers = new List<Server>();
        if (aot.Available)
        {
            servers.Add(new("McpAspire worker, Native AOT", await aot.PathAsync(cancellationToken), [], deployed, AsDeployed.KeyCredential));
        }

        servers.Add(new("McpAspire worker, framework-dependent", "dotnet", [RepoLayout.ProjectDll("McpAspire.HttpWorker")], deployed, AsDeployed.KeyCredential));
        // Whether ReadyToRun pays for the framework-dependent build (not in smoke mode: the publish takes a minute or two).
        var readyToRun = settings.Smoke ? null : await NativePublish.ReadyToRunAsync(PublishedProject.Worker, cancellationToken);
        if (readyToRun is not null)
        {
            servers.Add(new("McpAspire worker, framework-dependent, ReadyToRun", "dotnet", [readyToRun + ".dll"], deployed, AsDeployed.KeyCredential));
        }

        servers.Add(new("SDK plain stateless MapMcp (framework-dependent)", "dotnet", [RepoLayout.ProjectDll("McpAspire.Bench.Baselines", folder: "bench"), "--mode", "sdk"], new Dictionary<string, string>(), null));
        // The floor Native AOT sets for any .NET server of this SDK (not in smoke mode: the publish takes a couple of minutes).
        using var plainAot = settings.Smoke ? null : new NativeAotExecutable(PublishedProject.Baselines);
        if (plainAot is { Available: true })
        {
            var baselines = await plainAot.PathAsync(cancellationToken);
            servers.Add(new("SDK plain stateless MapMcp, Native AOT", baselines, ["--mode", "sdk"], new Dictionary<string, string>(), null));
            // The same with McpAspire's sample tool set and nothing else of McpAspire's: what building its tools costs.
            servers.Add(new("SDK plain stateless MapMcp with the sample tool set, Native AOT", baselines, ["--mode", "layers:1"], new Dictionary<string, string>(), null));
        }

        await NodeTooling.EnsureInstalledAsync(cancellationToken);
        servers.Add(new("TypeScript SDK stateless server (Node 22)", NodeTooling.Node, [Path.Combine(RepoLayout.JsDirectory, "ts-echo-server.mjs"), "http"], new Dictionary<string, string>(), null, PortAsArgument: true));

        Console.WriteLine("| server | median ms | max ms | min ms |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        var medians = new List<double>();
        foreach (var server in servers)
        {
            var runs = new List<double>();
            for (var run = 0; run < starts; run++)
            {
                using var started = await server.StartAsync(cancellationToken);
                runs.Add(started.FirstAnswerMs);
            }

            runs.Sort();
            medians.Add(runs[runs.Count / 2]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {server.Name} | {runs[runs.Count / 2]:F0} | {runs[^1]:F0} | {runs[0]:F0} |"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Join(", ", servers.SkipLast(1).Select((server, i) =>
            string.Create(CultureInfo.InvariantCulture, $"{server.Name} / TypeScript: {medians[i] / medians[^1]:F2}×"))) +
            " (target for the AOT worker: ≤ 0.40× and a median ≤ 250 ms)");

        if (aot.Available)
        {
            await SteadyStateAsync(servers[0], servers[1], settings, cancellationToken);
        }

        if (readyToRun is not null)
        {
            Directory.Delete(Path.GetDirectoryName(readyToRun)!, recursive: true);
        }
    }

    /// <summary>Resident memory at idle and after <see cref="MemoryCalls"/> calls, calls/s and CPU per call: AOT against JIT.</summary>
    private static async Task SteadyStateAsync(Server nativeAot, Server jit, BenchSettings settings, CancellationToken cancellationToken)
    {
        var calls = settings.Smoke ? 200 : MemoryCalls;
        Console.WriteLine();
        Console.WriteLine($"Steady state, Native AOT against framework-dependent (idle: 2 s after the first answer; then {calls / 5} echo calls to warm up and {calls} measured, {settings.Concurrency} at a time):");
        Console.WriteLine();
        Console.WriteLine("| worker | RSS idle MiB | RSS after calls MiB | calls/s | CPU ms per call |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        var rows = new List<(double Idle, double After, double PerSecond, double CpuPerCall)>();
        foreach (var server in new[] { nativeAot, jit })
        {
            using var started = await server.StartAsync(cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            var idle = started.ResidentMiB();
            // Warmed first (the JIT worker tiers its code up), then measured.
            await CallAsync(started, calls / 5, settings.Concurrency, cancellationToken);
            var cpuBefore = started.CpuTime();
            var clock = Stopwatch.StartNew();
            await CallAsync(started, calls, settings.Concurrency, cancellationToken);
            var seconds = clock.Elapsed.TotalSeconds;
            var cpu = (started.CpuTime() - cpuBefore).TotalMilliseconds;
            rows.Add((idle, started.ResidentMiB(), calls / seconds, cpu / calls));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {server.Name} | {rows[^1].Idle:F0} | {rows[^1].After:F0} | {rows[^1].PerSecond:F0} | {rows[^1].CpuPerCall:F3} |"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"AOT / JIT: RSS idle {rows[0].Idle / rows[1].Idle:F2}×, RSS after calls {rows[0].After / rows[1].After:F2}×, calls/s {rows[0].PerSecond / rows[1].PerSecond:F2}×, CPU per call {rows[0].CpuPerCall / rows[1].CpuPerCall:F2}×"));
    }

    private static Task CallAsync(Started started, int calls, int concurrency, CancellationToken cancellationToken)
    {
        var next = 0;
        return Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= calls)
            {
                await started.CallEchoAsync(cancellationToken);
            }
        }));
    }

    /// <summary>One server to start: its command, and what its clients send.</summary>
    private sealed record Server(string Name, string Command, string[] Arguments, IReadOnlyDictionary<string, string> Environment, Credential? Credential, bool PortAsArgument = false)
    {
        /// <summary>Starts the process from its own folder (as a container does) and returns once an echo call has been answered.</summary>
        public async Task<Started> StartAsync(CancellationToken cancellationToken)
        {
            var port = LoopbackPort.Free();
            var start = new ProcessStartInfo(Command)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(Command == "dotnet" || PortAsArgument ? Arguments[0] : Command),
            };
            foreach (var argument in Arguments)
            {
                start.ArgumentList.Add(argument);
            }

            if (PortAsArgument)
            {
                start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                start.ArgumentList.Add("--urls");
                start.ArgumentList.Add($"http://127.0.0.1:{port}");
            }

            foreach (var (key, value) in Environment)
            {
                start.Environment[key] = value;
            }

            var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            if (Credential is { } credential)
            {
                http.DefaultRequestHeaders.Add(credential.Header, credential.Value);
            }

            var clock = Stopwatch.StartNew();
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var started = new Started(process, http, new Uri($"http://127.0.0.1:{port}/mcp"));
            try
            {
                while (!await started.TryEchoAsync(cancellationToken))
                {
                    if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
                    {
                        throw new InvalidOperationException($"{Name} did not answer within 60 s (exited: {process.HasExited}).");
                    }

                    await Task.Delay(2, cancellationToken);
                }
            }
            catch
            {
                started.Dispose();
                throw;
            }

            started.FirstAnswerMs = clock.Elapsed.TotalMilliseconds;
            return started;
        }
    }

    /// <summary>A started server: its first answer's time, and calls to it.</summary>
    private sealed class Started(Process process, HttpClient http, Uri mcp) : IDisposable
    {
        private static readonly byte[] Echo = Encoding.UTF8.GetBytes(
            """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"cold"}}}""");

        public double FirstAnswerMs { get; set; }

        /// <summary>One echo call; false while nothing listens yet or the answer is not a result.</summary>
        public async Task<bool> TryEchoAsync(CancellationToken cancellationToken)
        {
            try
            {
                await CallEchoAsync(cancellationToken);
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        public async Task CallEchoAsync(CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, mcp) { Content = new ByteArrayContent(Echo) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode || !body.Contains("\"result\"", StringComparison.Ordinal) || !body.Contains("cold", StringComparison.Ordinal))
            {
                throw new HttpRequestException($"{(int)response.StatusCode}: {body}");
            }
        }

        /// <summary>The process's resident set, from /proc.</summary>
        public double ResidentMiB()
        {
            process.Refresh();
            return process.WorkingSet64 / 1048576.0;
        }

        public TimeSpan CpuTime()
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }

        public void Dispose()
        {
            http.Dispose();
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }

            process.Dispose();
        }
    }
}
