using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;

namespace McpAspire.Probe;

/// <summary>
/// Calls <c>echo</c> over stdio (a sidecar it spawns), legacy SSE, stateful and stateless Streamable HTTP on every
/// interval, keeping one client per transport, and records the latency per transport as a histogram and in the status.
/// The SDK client's own spans carry each call's trace into the hosts.
/// </summary>
internal sealed partial class ProbeService(
    IOptions<ProbeOptions> options,
    IConfiguration configuration,
    ProbeStatus status,
    IMeterFactory meters,
    ILoggerFactory loggerFactory,
    ILogger<ProbeService> logger) : BackgroundService
{
    /// <summary>The probe's Meter, as McpAspire's own (<c>McpAspireTelemetry.Name</c>) so one dashboard query finds both.</summary>
    public const string MeterName = "McpAspire";

    private readonly Histogram<double> _duration = meters.Create(MeterName).CreateHistogram<double>(
        "mcpaspire.probe.duration", unit: "s", description: "Round trip of the probe's tools/call echo, per transport.");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var targets = Targets().ToList();
        var clients = new Dictionary<string, McpClient>();
        using var timer = new PeriodicTimer(options.Value.Interval);
        try
        {
            do
            {
                foreach (var target in targets)
                {
                    status.Record(await ProbeAsync(target, clients, stoppingToken));
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                await client.DisposeAsync();
            }
        }
    }

    private async Task<TransportResult> ProbeAsync(ProbeTarget target, Dictionary<string, McpClient> clients, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (!clients.TryGetValue(target.Transport, out var client))
            {
                client = await McpClient.CreateAsync(target.CreateTransport(), loggerFactory: loggerFactory, cancellationToken: cancellationToken);
                clients[target.Transport] = client;
            }

            started = Stopwatch.GetTimestamp();
            await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "probe" }, cancellationToken: cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("mcp.transport", target.Transport));
            return new TransportResult(target.Transport, target.Endpoint, true, elapsed.TotalMilliseconds, null, DateTimeOffset.UtcNow);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A failed client is rebuilt on the next round; the failure is the probe's finding, not its own fault.
            if (clients.Remove(target.Transport, out var broken))
            {
                await broken.DisposeAsync();
            }

            LogProbeFailed(target.Transport, target.Endpoint, ex.Message);
            return new TransportResult(target.Transport, target.Endpoint, false, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.Message, DateTimeOffset.UtcNow);
        }
    }

    private IEnumerable<ProbeTarget> Targets()
    {
        var probe = options.Value;
        if (probe.SidecarPath is { } sidecar)
        {
            // The sidecar gets this process's cache and OTLP settings, as a desktop client's would from its config.
            var environment = new Dictionary<string, string?>();
            foreach (var key in new[] { "ConnectionStrings__cache", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_PROTOCOL" })
            {
                environment[key] = Environment.GetEnvironmentVariable(key);
            }

            environment["OTEL_SERVICE_NAME"] = "stdio-sidecar";
            yield return new ProbeTarget("stdio", sidecar, () => new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "stdio-sidecar",
                Command = "dotnet",
                Arguments = [sidecar],
                EnvironmentVariables = environment,
            }));
        }

        if ((probe.FrontEnd ?? Discovered("sse-frontend")) is { } frontEnd)
        {
            yield return Http("sse", new Uri(frontEnd, "/sse"), HttpTransportMode.Sse);
            yield return Http("streamable-http (stateful)", new Uri(frontEnd, "/mcp"), HttpTransportMode.StreamableHttp);
        }

        if ((probe.Worker ?? Discovered("http-worker")) is { } worker)
        {
            yield return Http("streamable-http (stateless)", new Uri(worker, "/mcp"), HttpTransportMode.StreamableHttp);
        }
    }

    private ProbeTarget Http(string transport, Uri endpoint, HttpTransportMode mode) =>
        new(transport, endpoint.ToString(), () => new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = mode,
            AdditionalHeaders = options.Value.ApiKey is { Length: > 0 } key ? new Dictionary<string, string> { ["X-API-Key"] = key } : null,
        }));

    private Uri? Discovered(string service) =>
        configuration[$"services:{service}:http:0"] is { } url ? new Uri(url) : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Probe over {Transport} ({Endpoint}) failed: {Reason}")]
    private partial void LogProbeFailed(string transport, string endpoint, string reason);
}
