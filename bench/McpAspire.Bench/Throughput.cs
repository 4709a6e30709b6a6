using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using McpAspire.Testing;

namespace McpAspire.Bench;

/// <summary>
/// Stateless Streamable HTTP <c>tools/call echo</c> under a closed-loop load, each server loaded alone in turn:
/// (a) a bare Kestrel JSON-RPC endpoint, the ceiling; (b) the SDK's plain stateless MapMcp, what a user gets without
/// McpAspire; (c) the HTTP worker with everything on (API-key authentication, Redis-shared rate limit and session
/// records, access log to OTLP and a file, traces, metrics and logs over OTLP); (e) the same with one trace in ten
/// sampled, as production would run it; (d) the TypeScript SDK's stateless server. The layer table (its own section,
/// <c>--only layers</c>) goes from (b) to (c) one layer at a time. Every server of a section is started and warmed up
/// first and kept running; then each is measured in rounds taken in turn (a, b, c, …, a, b, c, …). An idle server
/// costs the others almost nothing (its metric exports, a timer or two).
/// </summary>
internal static class Throughput
{
    private static readonly byte[] EchoRequest = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"ping"}}}"""u8.ToArray();

    /// <summary>Rows (a)–(e), the worker as shipped (s) and with the console logger's access line (t), and their ratios.</summary>
    public static async Task RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"## Stateless HTTP throughput: tools/call echo, {settings.Concurrency} concurrent clients, every server running at once, each measured in {settings.Rounds} round(s) of {settings.RoundDuration.TotalSeconds:F0} s taken in turn");
        Console.WriteLine();
        await using var setup = Setup.Start();
        var rows = new (string Name, Func<Task<(Uri Endpoint, IAsyncDisposable Server, int ProcessId)>> Start, Credential? Credential)[]
        {
            ("(a) bare Kestrel JSON-RPC endpoint", () => Setup.BaselineAsync("kestrel", cancellationToken), null),
            ("(b) SDK plain stateless MapMcp", () => Setup.BaselineAsync("sdk", cancellationToken), null),
            ("(s) McpAspire worker as shipped (Production, its appsettings.json, API key, Redis limiter, OTLP, 1 trace in 10, access log on the console)",
                () => Setup.WorkerAsync(setup.Shipped, cancellationToken), AsDeployed.KeyCredential),
            ("(t) (s) with the access log through the console logger (AccessLogConsole=Formatted)",
                () => Setup.WorkerAsync(setup.ShippedFormatted, cancellationToken), AsDeployed.KeyCredential),
            ("(c) McpAspire worker, everything on", () => Setup.WorkerAsync(setup.EverythingOn, cancellationToken), AsDeployed.KeyCredential),
            ("(e) McpAspire worker, everything on, 10% of traces sampled", () => Setup.WorkerAsync(setup.Sampled, cancellationToken), AsDeployed.KeyCredential),
            ("(d) TypeScript SDK stateless (Node 22)", async () =>
            {
                var port = LoopbackPort.Free();
                var node = await NodeServer.StartHttpAsync(port, cancellationToken);
                return (new Uri($"http://127.0.0.1:{port}/mcp"), new Disposer(node.Dispose), node.ProcessId);
            }, null),
        };

        var (results, driver) = await MeasureInTurnAsync(rows, settings, cancellationToken);
        Console.WriteLine($"Driver: {driver}; {settings.LoadWarmUp}.");
        Console.WriteLine();
        Console.WriteLine("| server | calls/s | slowest–fastest round | server CPU µs/call | p50 ms | p90 ms | p99 ms | failed | warm-up s |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, _, _) in rows)
        {
            Print(name, results[name]);
        }

        LoadStats Row(char row) => results[rows.Single(r => r.Name[1] == row).Name];
        double Rate(char row) => Row(row).PerSecond;
        double Cpu(char row) => Row(row).CpuPerCall;
        var c = Rate('c');
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"As shipped: s/b {Rate('s') / Rate('b'):F2}× in calls/s (target ≥ 0.8×), {Cpu('b') / Cpu('s'):F2}× in calls per CPU-second; the console logger's line instead: t/b {Rate('t') / Rate('b'):F2}×, {Cpu('b') / Cpu('t'):F2}× per CPU-second ({Cpu('t') - Cpu('s'):F1} µs of CPU more per call)."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calls/s ratios: c/a {c / Rate('a'):F2}×, c/b {c / Rate('b'):F2}× (target ≥ 0.9×), c/d {c / Rate('d'):F1}× (target ≥ 10×); e/b {Rate('e') / Rate('b'):F2}×, e/d {Rate('e') / Rate('d'):F1}×"));
        // Calls per CPU-second, the inverse of CPU per call: what a core buys, steadier than the rates when the machine is shared.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calls per CPU-second ratios: c/a {Cpu('a') / Cpu('c'):F2}×, c/b {Cpu('b') / Cpu('c'):F2}×, c/d {Cpu('d') / Cpu('c'):F1}×; e/b {Cpu('b') / Cpu('e'):F2}×"));
        Console.WriteLine($"OTLP export requests the sink received: {setup.Sink.Summary()}; Redis: {setup.RedisName}");
    }

    /// <summary>
    /// Where the worker's time goes: its composition built up one layer at a time, all in Production with an API key
    /// configured and sent (bench/McpAspire.Bench.Baselines --mode layers:N for the first four, then the worker itself
    /// with Redis, the OTLP exporter and the access log file added in turn), from (b) to (c), measured as the rows are.
    /// </summary>
    public static async Task LayersAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"## Where the worker's time goes: each layer added to the one above, {settings.Concurrency} concurrent clients, every composition running at once, each measured in {settings.Rounds} round(s) of {settings.RoundDuration.TotalSeconds:F0} s taken in turn");
        Console.WriteLine();
        await using var setup = Setup.Start();
        var layers = new (string Name, Func<Task<(Uri Endpoint, IAsyncDisposable Server, int ProcessId)>> Start, Credential? Credential)[]
        {
            ("SDK plain stateless MapMcp, its own echo tool: (b)", () => Setup.BaselineAsync("sdk", cancellationToken), null),
            ("1. SDK with McpAspire's tool set (argument validation, tool filters)", () => Setup.BaselineAsync("layers:1", cancellationToken, setup.Layered), AsDeployed.KeyCredential),
            ("2. + McpAspire's HTTP edge and state (in memory)", () => Setup.BaselineAsync("layers:2", cancellationToken, setup.Layered), AsDeployed.KeyCredential),
            ("3. + service defaults (OpenTelemetry instrumentation, no exporter)", () => Setup.BaselineAsync("layers:3", cancellationToken, setup.Layered), AsDeployed.KeyCredential),
            ("4. + the security edge (API key, access log at Warning)", () => Setup.BaselineAsync("layers:4", cancellationToken, setup.Layered), AsDeployed.KeyCredential),
            ("5. the worker: + session records, MCP span enrichment and metrics", () => Setup.WorkerAsync(setup.Layered, cancellationToken), AsDeployed.KeyCredential),
            ($"6. + {(setup.HasRedis ? "Redis: session records and the shared rate limit" : "no Redis (not installed)")}", () => Setup.WorkerAsync(setup.WithRedis, cancellationToken), AsDeployed.KeyCredential),
            ("7. + traces, metrics and logs exported over OTLP", () => Setup.WorkerAsync(setup.WithOtlp, cancellationToken), AsDeployed.KeyCredential),
            ("8. + the access log at Information to OTLP and a file: (c)", () => Setup.WorkerAsync(setup.EverythingOn, cancellationToken), AsDeployed.KeyCredential),
        };

        var (results, driver) = await MeasureInTurnAsync(layers, settings, cancellationToken);
        Console.WriteLine($"Driver: {driver}; {settings.LoadWarmUp}.");
        Console.WriteLine();
        Console.WriteLine("| composition | calls/s | slowest–fastest round | server CPU µs/call | p50 ms | p99 ms | failed | calls/s vs the layer above | CPU µs/call added |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        LoadStats? above = null;
        foreach (var (name, _, _) in layers)
        {
            var stats = results[name];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {stats.PerSecond:F0} | {stats.RoundRange.Min:F0}–{stats.RoundRange.Max:F0} | {stats.CpuPerCall:F1} | {stats.P50:F3} | {stats.P99:F3} | {stats.Failed} | {(above is { } previous ? $"{stats.PerSecond / previous.PerSecond:F2}×" : "")} | {(above is { } before ? $"{stats.CpuPerCall - before.CpuPerCall:+0.0;-0.0}" : "")} |"));
            above = stats;
        }

        var (first, last) = (results[layers[0].Name], results[layers[^1].Name]);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(c)/(b) here: {last.PerSecond / first.PerSecond:F2}× in calls/s, {first.CpuPerCall / last.CpuPerCall:F2}× in calls per CPU-second"));
    }

    /// <summary>
    /// Starts and warms every server (kept running), then measures them in rounds taken in turn, so a slow minute of
    /// this shared machine falls on every server alike instead of on whichever ran in it.
    /// </summary>
    internal static async Task<(Dictionary<string, LoadStats> Results, string Driver)> MeasureInTurnAsync(
        IEnumerable<(string Name, Func<Task<(Uri Endpoint, IAsyncDisposable Server, int ProcessId)>> Start, Credential? Credential)> servers, BenchSettings settings, CancellationToken cancellationToken)
    {
        var useWrk = Wrk.IsInstalled && !settings.Smoke;
        var contenders = new List<Contender>();
        try
        {
            foreach (var (name, start, credential) in servers)
            {
                contenders.Add(await Contender.StartAsync(name, start, credential, useWrk, settings, cancellationToken));
            }

            for (var round = 0; round < settings.Rounds; round++)
            {
                foreach (var contender in contenders)
                {
                    await contender.MeasureRoundAsync(settings, cancellationToken);
                }
            }
        }
        finally
        {
            foreach (var contender in contenders)
            {
                await contender.DisposeAsync();
            }
        }

        return (contenders.ToDictionary(c => c.Name, c => c.Result),
            useWrk ? $"wrk -t2 -c{settings.Concurrency}" : "the benchmark's own .NET client (install Debian's wrk for a lighter one)");
    }

    /// <summary>
    /// What the servers share: a Redis, an OTLP sink, a folder for the access log, and the worker's settings built up as
    /// the layer table adds them: in Production with an API key configured and sent; + Redis; + the OTLP exporter;
    /// + the access log at Information (everything on); + one trace in ten sampled.
    /// </summary>
    private sealed class Setup : IAsyncDisposable
    {
        private static readonly string Baselines = RepoLayout.ProjectDll("McpAspire.Bench.Baselines", folder: "bench");
        private static readonly string Worker = RepoLayout.ProjectDll("McpAspire.HttpWorker");
        private readonly IDisposable? _redis;
        private readonly DirectoryInfo _accessLog;

        private Setup(IDisposable? redis, int redisPort, OtlpSink sink, DirectoryInfo accessLog)
        {
            _redis = redis;
            Sink = sink;
            _accessLog = accessLog;
            Layered = new Dictionary<string, string>(Quiet.Concat(AsDeployed.Production()))
            {
                // A million calls in 10 s: the limiter runs as deployed (leasing from Redis) and never refuses the warm-ups
                // and rounds of servers that share its principal and Redis.
                ["McpAspire__RateLimiting__PermitLimit"] = "1000000",
                ["McpAspire__RateLimiting__Window"] = "00:00:10",
            };
            WithRedis = new Dictionary<string, string>(Layered);
            if (redis is not null)
            {
                WithRedis["ConnectionStrings__cache"] = $"127.0.0.1:{redisPort}";
            }

            WithOtlp = new Dictionary<string, string>(WithRedis);
            foreach (var (name, value) in sink.Environment())
            {
                WithOtlp[name] = value;
            }

            EverythingOn = new Dictionary<string, string>(WithOtlp)
            {
                ["McpAspire__Security__AccessLogPath"] = Path.Combine(accessLog.FullName, "access.log"),
                ["Logging__LogLevel__McpAspire.AccessLog"] = "Information",
                // The access log goes to OTLP and the file, as an auditor keeps it, not to the console.
                ["McpAspire__Security__AccessLogConsole"] = "Off",
            };
            Shipped = AsDeployed.Shipped(WithRedis, sink);
            ShippedFormatted = new Dictionary<string, string>(Shipped) { ["McpAspire__Security__AccessLogConsole"] = "Formatted" };
            Sampled = new Dictionary<string, string>(EverythingOn.Concat(AsDeployed.OneTraceInTen()));
        }

        /// <summary>
        /// The worker as the AppHost deploys it (Production, its appsettings.json, an API key, Redis, OTLP, one trace in
        /// ten), with one change a benchmark needs: a rate limit no load reaches (shipped: 600 calls a minute).
        /// </summary>
        public Dictionary<string, string> Shipped { get; }

        public Dictionary<string, string> ShippedFormatted { get; }

        /// <summary>Every .NET server logs at Warning (the access log excepted); TLS is left out of every row alike.</summary>
        private static Dictionary<string, string> Quiet { get; } = new() { ["Logging__LogLevel__Default"] = "Warning" };

        public OtlpSink Sink { get; }

        public bool HasRedis => _redis is not null;

        public string RedisName => HasRedis ? "redis-server" : "not installed, the workers ran without it";

        public Dictionary<string, string> Layered { get; }

        public Dictionary<string, string> WithRedis { get; }

        public Dictionary<string, string> WithOtlp { get; }

        public Dictionary<string, string> EverythingOn { get; }

        public Dictionary<string, string> Sampled { get; }

        public static Setup Start()
        {
            var redisPort = LoopbackPort.Free();
            return new Setup(RedisCost.StartServer(redisPort), redisPort, new OtlpSink(), Directory.CreateTempSubdirectory("mcpaspire-bench-"));
        }

        public static async Task<(Uri, IAsyncDisposable, int)> BaselineAsync(string mode, CancellationToken cancellationToken, Dictionary<string, string>? environment = null) =>
            Host(await HostProcess.StartAsync(Baselines, environment ?? Quiet, cancellationToken, "--mode", mode));

        public static async Task<(Uri, IAsyncDisposable, int)> WorkerAsync(Dictionary<string, string> environment, CancellationToken cancellationToken) =>
            Host(await HostProcess.StartAsync(Worker, environment, cancellationToken));

        public ValueTask DisposeAsync()
        {
            Sink.Dispose();
            _redis?.Dispose();
            _accessLog.Delete(recursive: true);
            return ValueTask.CompletedTask;
        }
    }

    internal static void Print(string name, LoadStats stats) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {stats.PerSecond:F0} | {stats.RoundRange.Min:F0}–{stats.RoundRange.Max:F0} | {stats.CpuPerCall:F1} | {stats.P50:F3} | {stats.P90:F3} | {stats.P99:F3} | {stats.Failed}{(stats.FirstError is { } error ? $" ({error})" : "")} | {stats.WarmedUp.TotalSeconds:F0} |"));

    /// <summary>One server under test, kept running from its warm-up to the last round, with its driver and its rounds.</summary>
    private sealed class Contender : IAsyncDisposable
    {
        private readonly List<LoadStats> _rounds = [];
        private readonly IAsyncDisposable _server;
        private readonly HttpClient _http;
        private readonly Uri _endpoint;
        private readonly Credential? _credential;
        private readonly Wrk? _wrk;
        private readonly Process _process;
        private TimeSpan _warmedUp;

        private Contender(string name, Uri endpoint, IAsyncDisposable server, int processId, Credential? credential, HttpClient http, Wrk? wrk) =>
            (Name, _endpoint, _server, _process, _credential, _http, _wrk) = (name, endpoint, server, Process.GetProcessById(processId), credential, http, wrk);

        public string Name { get; }

        public LoadStats Result => LoadStats.Combine(_rounds) with { WarmedUp = _warmedUp };

        public static async Task<Contender> StartAsync(string name, Func<Task<(Uri Endpoint, IAsyncDisposable Server, int ProcessId)>> start, Credential? credential,
            bool useWrk, BenchSettings settings, CancellationToken cancellationToken)
        {
            var (endpoint, server, processId) = await start();
            var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, UseProxy = false });
            Wrk? wrk = null;
            try
            {
                // The answer is checked once whichever driver runs: every server must really echo.
                await EchoAsync(http, endpoint, credential, cancellationToken);
                if (useWrk)
                {
                    var headers = new Dictionary<string, string>
                    {
                        ["Content-Type"] = "application/json",
                        ["Accept"] = "application/json, text/event-stream",
                        ["MCP-Protocol-Version"] = "2025-11-25",
                    };
                    if (credential is { } sent)
                    {
                        headers[sent.Header] = sent.Value;
                    }

                    wrk = await Wrk.CreateAsync(endpoint, Encoding.UTF8.GetString(EchoRequest), headers, settings.Concurrency, cancellationToken);
                }

                var contender = new Contender(name, endpoint, server, processId, credential, http, wrk);
                contender._warmedUp = wrk is not null
                    ? await wrk.WarmUpAsync(settings.LoadWarmUp, cancellationToken)
                    : await settings.LoadWarmUp.RunAsync(async round => (await contender.LoadAsync(int.MaxValue, round, settings, cancellationToken)).PerSecond);
                return contender;
            }
            catch
            {
                wrk?.Dispose();
                http.Dispose();
                await server.DisposeAsync();
                throw;
            }
        }

        /// <summary>A second of unmeasured load (a server that sat idle while the others ran gets its threads back), then one measured round.</summary>
        public async Task MeasureRoundAsync(BenchSettings settings, CancellationToken cancellationToken)
        {
            var settle = TimeSpan.FromSeconds(1);
            if (_wrk is not null)
            {
                await _wrk.SettleAsync(settle, cancellationToken);
            }
            else
            {
                await LoadAsync(int.MaxValue, settle, settings, cancellationToken);
            }

            var cpuBefore = ServerCpu();
            var round = _wrk is not null
                ? await _wrk.MeasureAsync(settings.RoundDuration, cancellationToken)
                : await LoadAsync(settings.LoadCount, settings.RoundDuration, settings, cancellationToken);
            _rounds.Add(round with { ServerCpu = ServerCpu() - cpuBefore });
        }

        /// <summary>The server's CPU time so far (ticks of the kernel's clock, 10 ms here: a round counts thousands of them).</summary>
        private TimeSpan ServerCpu()
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }

        private Task<LoadStats> LoadAsync(int count, TimeSpan duration, BenchSettings settings, CancellationToken cancellationToken) =>
            Load.MeasureAsync((_, ct) => EchoAsync(_http, _endpoint, _credential, ct), settings.Concurrency, count, duration, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            _wrk?.Dispose();
            _http.Dispose();
            _process.Dispose();
            await _server.DisposeAsync();
        }
    }

    private static async Task EchoAsync(HttpClient http, Uri endpoint, Credential? credential, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(EchoRequest) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2025-11-25");
        if (credential is { } sent)
        {
            request.Headers.TryAddWithoutValidation(sent.Header, sent.Value);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode || !body.Contains("\"text\":\"ping\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {body[..Math.Min(200, body.Length)]}");
        }
    }

    private static (Uri, IAsyncDisposable, int) Host(HostProcess host) => (new Uri(host.BaseUri, "/mcp"), host, host.ProcessId);

    private sealed class Disposer(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}
