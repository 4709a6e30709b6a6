// Round-trip latency of tools/call echo over each McpAspire transport, and the sidecar's start-up time, measured
// side by side in one run on this machine. Usage: dotnet run -c Release --project bench/McpAspire.Bench [calls]
using System.Diagnostics;
using System.Globalization;
using McpAspire.Bench;
using McpAspire.Transport.Tests.Infrastructure;
using ModelContextProtocol.Client;

var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
const int WarmUp = 200;
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(10));
var ct = cancel.Token;

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

Console.WriteLine($"# McpAspire transports: tools/call echo, {calls} sequential calls after {WarmUp} warm-up, one client");
Console.WriteLine();
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; configuration: {RepoLayout.Configuration}");
Console.WriteLine();
Console.WriteLine("| transport | calls/s | p50 ms | p90 ms | p99 ms | p50 vs stdio |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
double? stdioP50 = null;
foreach (var (name, create) in transports)
{
    await using var client = await McpClient.CreateAsync(create(), cancellationToken: ct);
    var stats = await Measure.EchoAsync(client, WarmUp, calls, ct);
    stdioP50 ??= stats.P50;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {stats.PerSecond:F0} | {stats.P50:F3} | {stats.P90:F3} | {stats.P99:F3} | {stats.P50 / stdioP50:F2}× |"));
}

Console.WriteLine();
var startups = new List<double>();
for (var run = 0; run < 5; run++)
{
    var clock = Stopwatch.StartNew();
    await using var client = await McpClient.CreateAsync(transports[0].Create(), cancellationToken: ct);
    startups.Add(clock.Elapsed.TotalMilliseconds);
}

startups.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"sidecar start-up to first initialize answer (framework-dependent, {startups.Count} runs): median {startups[2]:F0} ms, min {startups[0]:F0} ms, max {startups[^1]:F0} ms"));

await RedisCost.RunAsync(calls, WarmUp, ct);

await Replicas.RunAsync(calls, WarmUp, ct);

await TelemetryCost.RunAsync(calls, WarmUp, ct);
