// McpAspire's benchmarks, every row measured in this one run on this machine, with ratios against baselines measured
// beside it. Usage: dotnet run -c Release --project bench/McpAspire.Bench [-- --smoke]
// The full run writes its tables to bench/results/{date}-{commit}.md as well; --smoke runs every section with tiny counts.
using System.Diagnostics;
using System.Globalization;
using McpAspire.Bench;
using McpAspire.Transport.Tests.Infrastructure;
using ModelContextProtocol.Client;

var settings = args.Contains("--smoke") ? BenchSettings.SmokeRun : BenchSettings.Full;
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',');
bool Runs(string section) => only is null || only.Contains(section);
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(settings.Smoke ? 5 : 20));
var ct = cancel.Token;
using var results = settings.Smoke || only is not null ? null : ResultsFile.Start(args);

Console.WriteLine("# McpAspire benchmarks");
Console.WriteLine();
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; configuration: {RepoLayout.Configuration}; commit: {ResultsFile.Commit()}; command: dotnet run -c {RepoLayout.Configuration} --project bench/McpAspire.Bench{(settings.Smoke ? " -- --smoke" : "")}");

if (Runs("transports"))
{
    await Transports(settings, ct);
}

if (Runs("throughput"))
{
    await Throughput.RunAsync(settings, ct);
}

if (Runs("sessions"))
{
    await Sessions.RunAsync(settings, ct);
}

if (Runs("stdio"))
{
    await Stdio.RunAsync(settings, ct);
}

if (Runs("redis"))
{
    await RedisCost.RunAsync(settings.Calls, settings.WarmUp, ct);
}

if (Runs("replicas"))
{
    await Replicas.RunAsync(settings.Calls, settings.WarmUp, settings.Sessions, ct);
}

if (Runs("telemetry"))
{
    await TelemetryCost.RunAsync(settings.Calls, settings.WarmUp, ct);
}

// Round-trip latency of one client's sequential echo calls over each transport.
static async Task Transports(BenchSettings settings, CancellationToken ct)
{
    // The default limit (600 calls a minute per tool) would stop the benchmark; it measures the transports, not the limiter.
    var unlimited = new Dictionary<string, string> { ["McpAspire__RateLimiting__PermitLimit"] = "1000000" };
    await using var frontEnd = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), unlimited, ct);
    await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), unlimited, ct);
    var transports = new (string Name, Func<IClientTransport> Create)[]
    {
        ("stdio (sidecar)", () => new StdioClientTransport(new() { Name = "sidecar", Command = "dotnet", Arguments = [RepoLayout.ProjectDll("McpAspire.StdioSidecar")], EnvironmentVariables = unlimited.ToDictionary(e => e.Key, e => (string?)e.Value) })),
        ("legacy SSE (front-end)", () => new HttpClientTransport(new() { Endpoint = new Uri(frontEnd.BaseUri, "/sse"), TransportMode = HttpTransportMode.Sse })),
        ("stateful Streamable HTTP (front-end)", () => new HttpClientTransport(new() { Endpoint = new Uri(frontEnd.BaseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp })),
        ("stateless Streamable HTTP (worker)", () => new HttpClientTransport(new() { Endpoint = new Uri(worker.BaseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp })),
    };

    Console.WriteLine();
    Console.WriteLine($"## Transports: tools/call echo, {settings.Calls} sequential calls after {settings.WarmUp} warm-up, one client");
    Console.WriteLine();
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
