// McpAspire's benchmarks, every row measured in this one run on this machine, with ratios against baselines measured
// beside it. Usage: dotnet run -c Release --project bench/McpAspire.Bench [-- --smoke | --only section,section]
// A run writes its tables to bench/results/{date}-{commit}[-sections].md as well; --smoke runs every section with tiny
// counts and writes nothing.
using System.Diagnostics;
using System.Globalization;
using McpAspire.Bench;
using McpAspire.Testing;
using ModelContextProtocol.Client;

var settings = args.Contains("--smoke") ? BenchSettings.SmokeRun : BenchSettings.Full;
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',');
// The layer table (a dozen servers warmed and measured side by side) is the profile behind the throughput rows: it
// runs when asked for (--only layers) and in the smoke run, not in the default run, which stays a few minutes.
// So does the ten-thousand-stream section (listeners), a couple of minutes on its own.
bool Runs(string section) => only?.Contains(section) ?? (section is not ("layers" or "listeners") || settings.Smoke);
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(settings.Smoke ? 5 : 20));
var ct = cancel.Token;
using var results = settings.Smoke ? null : ResultsFile.Start(only);

Console.WriteLine("# McpAspire benchmarks");
Console.WriteLine();
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; configuration: {RepoLayout.Configuration}; commit: {ResultsFile.Commit()}; command: dotnet run -c {RepoLayout.Configuration} --project bench/McpAspire.Bench{(settings.Smoke ? " -- --smoke" : only is null ? "" : $" -- --only {string.Join(',', only)}")}");

var sections = new (string Name, Func<Task> Run)[]
{
    ("transports", () => Transports(settings, ct)),
    ("throughput", () => Throughput.RunAsync(settings, ct)),
    ("layers", () => Throughput.LayersAsync(settings, ct)),
    ("sessions", () => Sessions.RunAsync(settings, ct)),
    ("stdio", () => Stdio.RunAsync(settings, ct)),
    ("redis", () => RedisCost.RunAsync(settings.Calls, settings.WarmUp, ct)),
    ("replicas", () => Replicas.RunAsync(settings.Calls, settings.WarmUp, settings.Sessions, ct)),
    ("mrtr", () => MultiRoundTrip.RunAsync(settings, ct)),
    ("listen", () => ListenStreams.RunAsync(settings, ct)),
    ("telemetry", () => TelemetryCost.RunAsync(settings.Calls, settings.WarmUp, ct)),
    ("signin", () => SignIn.RunAsync(settings, ct)),
    ("firstcall", () => FirstCall.RunAsync(settings, ct)),
    ("coldstart", () => ColdStart.RunAsync(settings, ct)),
    ("listeners", () => ManyListeners.RunAsync(settings, ct)),
};
var took = new List<string>();
foreach (var (name, run) in sections.Where(s => Runs(s.Name)))
{
    var started = Stopwatch.GetTimestamp();
    await run();
    took.Add($"{name} {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
}

Console.WriteLine();
Console.WriteLine($"Sections took: {string.Join(", ", took)}.");

// Round-trip latency of one client's sequential echo calls over each transport, every host on one redis-server as deployed.
static async Task Transports(BenchSettings settings, CancellationToken ct)
{
    using var redis = RedisCost.StartSection($"Transports: tools/call echo, {settings.Calls} sequential calls after {settings.WarmUp} warm-up, one client", out var port);
    if (redis is null)
    {
        return;
    }

    // The default limit (600 calls a minute per tool) would stop the benchmark; it measures the transports, not the limiter.
    var unlimited = new Dictionary<string, string>
    {
        ["ConnectionStrings__cache"] = $"127.0.0.1:{port}",
        ["McpAspire__RateLimiting__PermitLimit"] = "1000000",
    };
    await using var frontEnd = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), unlimited, ct);
    await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), unlimited, ct);
    var transports = new (string Name, Func<IClientTransport> Create)[]
    {
        ("stdio (sidecar)", () => new StdioClientTransport(new() { Name = "sidecar", Command = "dotnet", Arguments = [RepoLayout.ProjectDll("McpAspire.StdioSidecar")], EnvironmentVariables = unlimited.ToDictionary(e => e.Key, e => (string?)e.Value) })),
        ("legacy SSE (front-end)", () => new HttpClientTransport(new() { Endpoint = new Uri(frontEnd.BaseUri, "/sse"), TransportMode = HttpTransportMode.Sse })),
        ("stateful Streamable HTTP (front-end)", () => new HttpClientTransport(new() { Endpoint = new Uri(frontEnd.BaseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp })),
        ("stateless Streamable HTTP (worker)", () => new HttpClientTransport(new() { Endpoint = new Uri(worker.BaseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp })),
    };

    Console.WriteLine("| transport | calls/s | p50 ms | p90 ms | p99 ms | p50 vs stdio |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
    double? stdioP50 = null;
    foreach (var (name, create) in transports)
    {
        await using var client = await McpClient.CreateAsync(create(), cancellationToken: ct);
        var stats = await Measure.EchoAsync(client, settings.WarmUp, settings.Calls, ct);
        stdioP50 ??= stats.P50;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {stats.PerSecond:F0} | {stats.P50:F3} | {stats.P90:F3} | {stats.P99:F3} | {stats.P50 / stdioP50:F2}× |"));
    }
}
