using System.Text.Json;

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
        using var response = await dashboard.GetAsync(new Uri("/api/telemetry/logs?limit=10000", UriKind.Relative), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");

        var root = JsonDocument.Parse(body).RootElement;
        var errors = Logs(root, ErrorSeverity).ToList();
        // What the probe found wrong (Warning) explains its health check's errors.
        Assert.True(errors.Count == 0, $"Logged at Error or above:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}{Environment.NewLine}" +
            $"The probe's warnings:{Environment.NewLine}{string.Join(Environment.NewLine, Logs(root, WarningSeverity).Where(line => line.StartsWith("probe ", StringComparison.Ordinal)))}");
    }

    private static IEnumerable<string> Logs(JsonElement root, int minimumSeverity)
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
                foreach (var record in scope.GetProperty("logRecords").EnumerateArray())
                {
                    var category = scope.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var name) ? name.GetString() : "?";
                    // StackExchange.Redis logs each failed connection attempt at Error and retries it; on a loaded machine a
                    // process can lose its first attempt. Whether the cache is reachable is what health says, and the
                    // probe is Healthy only once every transport, each on that cache, has answered.
                    if (record.TryGetProperty("severityNumber", out var severity) && SeverityOf(severity) >= minimumSeverity &&
                        category != "StackExchange.Redis.ConnectionMultiplexer")
                    {
                        yield return $"{service} {category}: {(record.TryGetProperty("body", out var b) ? b.ToString() : "")}";
                    }
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
