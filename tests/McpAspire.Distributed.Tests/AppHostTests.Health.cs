using System.Text.Json;
using McpAspire.Testing;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;

namespace McpAspire.Distributed.Tests;

/// <summary>A fresh start looks as healthy as it is: once the probe's first round is done, nothing has logged an error.</summary>
public sealed partial class AppHostTests
{
    /// <summary>OpenTelemetry's severity number for Error; the dashboard marks a resource with an error badge from here up.</summary>
    private const int ErrorSeverity = 17;
    private const int WarningSeverity = 13;

    [Fact]
    public async Task FreshStart_OnceTheProbesFirstRoundIsDone_NoResourceHasLoggedAnError()
    {
        using var probe = deployment.App.CreateHttpClient("probe", "http");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        string health;
        while ((health = await probe.GetStringAsync(new Uri("/health", UriKind.Relative), Ct)) != "Healthy")
        {
            Assert.True(DateTime.UtcNow < deadline, $"The probe's first round did not finish with every transport answering: {health}");
            await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        }

        using var dashboard = new HttpClient { BaseAddress = deployment.App.GetEndpoint("aspire-dashboard", "http"), Timeout = TimeSpan.FromSeconds(30) };

        // The check below sees what it looks for: an Error sent to the dashboard on purpose is read back through it, and every
        // host's own logs are there (a host whose log export broke would have logged no error as far as the check knows).
        var planted = $"planted error {Guid.NewGuid():N}";
        var sentTo = await PlantErrorAsync(planted);
        var root = await Until.ValueAsync(() => ReadLogsAsync(dashboard), logs => Logs(logs, ErrorSeverity).Any(line => line.EndsWith(planted, StringComparison.Ordinal)),
            logs => $"the error sent on purpose ({planted}, to {sentTo}) to be read back from the dashboard; it holds {Records(logs).Count()} records, " +
                $"from {string.Join(", ", Records(logs).GroupBy(r => r.Service).Select(g => $"{g.Key} ({g.Count()})"))}; " +
                $"the control's: {string.Join(" | ", Records(logs).Where(r => r.Service == PositiveControl).Select(r => $"{r.Severity} {r.Body}"))}", Ct, TimeSpan.FromSeconds(30));
        // Every record was read: fewer than the page the API was asked for.
        Assert.True(Records(root).Count() < LogPage, $"{Records(root).Count()} records: the page of {LogPage} may have left some out");
        var services = Records(root).Select(r => r.Service).ToHashSet(StringComparer.Ordinal);
        Assert.All(["sse-frontend", "http-worker", "auth", "dev-identity", "probe"], host => Assert.Contains(host, services));

        var errors = Logs(root, ErrorSeverity).Where(line => !line.StartsWith(PositiveControl, StringComparison.Ordinal)).ToList();
        // What the probe found wrong (Warning) explains its health check's errors.
        Assert.True(errors.Count == 0, $"Logged at Error or above:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}{Environment.NewLine}" +
            $"The probe's warnings:{Environment.NewLine}{string.Join(Environment.NewLine, Logs(root, WarningSeverity).Where(line => line.StartsWith("probe ", StringComparison.Ordinal)))}");
    }

    private const int LogPage = 10_000;

    /// <summary>The service name of the error the test sends on purpose.</summary>
    private const string PositiveControl = "positive-control";

    /// <summary>
    /// Sends one Error record to the dashboard's OTLP endpoint as the worker's OpenTelemetry logger does (its endpoint,
    /// headers and protocol, from the environment the AppHost gives it); disposing the logger factory flushes it.
    /// </summary>
    private async Task<string> PlantErrorAsync(string message)
    {
        Dictionary<string, string> environment = [];
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        watching.CancelAfter(TimeSpan.FromSeconds(30));
        await foreach (var update in deployment.App.ResourceNotifications.WatchAsync(watching.Token))
        {
            if (update.Resource.Name == "http-worker" && update.Snapshot.EnvironmentVariables.Any(v => v.Name == "OTEL_EXPORTER_OTLP_ENDPOINT"))
            {
                environment = update.Snapshot.EnvironmentVariables.Where(v => v.Value is not null).ToDictionary(v => v.Name, v => v.Value!, StringComparer.Ordinal);
                break;
            }
        }

        var endpoint = new Uri(environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var protocol = environment.GetValueOrDefault("OTEL_EXPORTER_OTLP_PROTOCOL") == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        using (var loggers = LoggerFactory.Create(logging => logging.AddOpenTelemetry(otel =>
        {
            otel.IncludeFormattedMessage = true;
            otel.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(PositiveControl));
            otel.AddOtlpExporter(exporter =>
            {
                exporter.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(endpoint, "v1/logs") : endpoint;
                exporter.Protocol = protocol;
                exporter.Headers = environment.GetValueOrDefault("OTEL_EXPORTER_OTLP_HEADERS");
            });
        })))
        {
            LogPlanted(loggers.CreateLogger("McpAspire.Distributed.Tests"), message);
        }

        return $"{endpoint} over {protocol}{(environment.ContainsKey("OTEL_EXPORTER_OTLP_HEADERS") ? " with headers" : "")}";
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Message}")]
    private static partial void LogPlanted(ILogger logger, string message);

    private static async Task<JsonElement> ReadLogsAsync(HttpClient dashboard)
    {
        using var response = await dashboard.GetAsync(new Uri($"/api/telemetry/logs?limit={LogPage}", UriKind.Relative), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static IEnumerable<string> Logs(JsonElement root, int minimumSeverity) =>
        Records(root)
            // StackExchange.Redis logs each failed connection attempt at Error and retries it; on a loaded machine a
            // process can lose its first attempt. Whether the cache is reachable is what health says, and the
            // probe is Healthy only once every transport, each on that cache, has answered.
            .Where(r => r.Severity >= minimumSeverity && r.Category != "StackExchange.Redis.ConnectionMultiplexer")
            .Select(r => $"{r.Service} {r.Category}: {r.Body}");

    /// <summary>Every log record the dashboard holds: its resource's service name, its category, severity and body.</summary>
    private static IEnumerable<(string Service, string? Category, int Severity, string Body)> Records(JsonElement root)
    {
        if (!root.TryGetProperty("data", out var data) || !data.TryGetProperty("resourceLogs", out var resourceLogs))
        {
            yield break;
        }

        foreach (var resource in resourceLogs.EnumerateArray())
        {
            var service = Attributes(resource.GetProperty("resource")).GetValueOrDefault("service.name") ?? "?";
            foreach (var scope in resource.GetProperty("scopeLogs").EnumerateArray())
            {
                var category = scope.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var name) ? name.GetString() : "?";
                foreach (var record in scope.GetProperty("logRecords").EnumerateArray())
                {
                    yield return (service, category, record.TryGetProperty("severityNumber", out var severity) ? SeverityOf(severity) : 0,
                        !record.TryGetProperty("body", out var b) ? "" : b.ValueKind == JsonValueKind.Object && b.TryGetProperty("stringValue", out var text) ? text.GetString() ?? "" : b.ToString());
                }
            }
        }
    }

    /// <summary>OTLP JSON writes the severity as a number, or as the enum's name.</summary>
    private static int SeverityOf(JsonElement severity) => severity.ValueKind == JsonValueKind.Number
        ? severity.GetInt32()
        : severity.GetString() is { } name && (name.StartsWith("SEVERITY_NUMBER_ERROR", StringComparison.Ordinal) || name.StartsWith("SEVERITY_NUMBER_FATAL", StringComparison.Ordinal))
            ? ErrorSeverity
            : severity.GetString() is { } warning && warning.StartsWith("SEVERITY_NUMBER_WARN", StringComparison.Ordinal) ? WarningSeverity : 0;
}
