using System.Text.Json;

namespace McpAspire.Distributed.Tests;

/// <summary>
/// One probe call is one trace across processes: the probe's client span, a remote host's server spans and its Redis
/// spans share a trace id in what the dashboard received over OTLP (read back through its telemetry API); over stdio the
/// sidecar's server span is the child of the probe's client span through <c>params._meta.traceparent</c>.
/// </summary>
public sealed partial class AppHostTests
{
    [Fact]
    public async Task ProbeCall_IsOneTraceAcrossTheProbeAHostAndTheCache()
    {
        using var http = new HttpClient { BaseAddress = deployment.App.GetEndpoint("aspire-dashboard", "http"), Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        string seen = "nothing";
        while (true)
        {
            var spans = await SpansAsync(http);
            var trace = spans
                .GroupBy(s => s.TraceId)
                .FirstOrDefault(t =>
                    t.Any(s => s.Service == "probe" && s.Kind == 3 && s.Name.StartsWith("tools/call", StringComparison.Ordinal)) &&
                    t.Any(s => s.Service is "sse-frontend" or "http-worker" && s.Kind == 2 && s.Name == "tools/call echo" && s.Attributes.ContainsKey("mcp.transport")) &&
                    t.Any(s => s.Service is "sse-frontend" or "http-worker" && s.Attributes.ContainsKey("db.system")));
            // The probe's stdio call is its own trace too: the sidecar, the probe's child over pipes, exports as stdio-sidecar.
            var stdio = spans.GroupBy(s => s.TraceId).FirstOrDefault(t =>
                t.Any(s => s.Service == "probe" && s.Kind == 3 && s.Name.StartsWith("tools/call", StringComparison.Ordinal)) &&
                t.Any(s => s.Service == "stdio-sidecar" && s.Kind == 2 && s.Attributes.GetValueOrDefault("mcp.transport") == "stdio"));
            if (trace is not null && stdio is not null)
            {
                var sidecarServer = stdio.First(s => s.Service == "stdio-sidecar" && s.Kind == 2);
                Assert.Contains(stdio, s => s.Service == "probe" && s.SpanId == sidecarServer.ParentSpanId);
                var server = trace.First(s => s.Kind == 2 && s.Name == "tools/call echo");
                var client = trace.First(s => s.Service == "probe" && s.Kind == 3 && s.Name.StartsWith("tools/call", StringComparison.Ordinal));
                Assert.Equal(client.SpanId, server.ParentSpanId);
                // The trace as the dashboard holds it: in the test output, and beside the test assembly for a person to read.
                var printed = string.Join(Environment.NewLine, trace.OrderBy(s => s.Start).Select(s =>
                    $"{s.Service,-14} {KindName(s.Kind),-8} {s.Name,-28} {s.DurationMs,8:F2} ms {string.Join(' ', s.Attributes.Where(a => a.Key.StartsWith("mcp.", StringComparison.Ordinal) || a.Key == "db.system").Select(a => $"{a.Key}={a.Value}"))}"));
                TestContext.Current.TestOutputHelper?.WriteLine(printed);
                printed += Environment.NewLine + Environment.NewLine + string.Join(Environment.NewLine, stdio.OrderBy(s => s.Start).Select(s =>
                    $"{s.Service,-14} {KindName(s.Kind),-8} {s.Name,-28} {s.DurationMs,8:F2} ms {string.Join(' ', s.Attributes.Where(a => a.Key.StartsWith("mcp.", StringComparison.Ordinal) || a.Key == "db.system").Select(a => $"{a.Key}={a.Value}"))}"));
                await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "probe-trace.txt"), printed, Ct);
                return;
            }

            seen = string.Join(", ", spans.GroupBy(s => s.Service).Select(g => $"{g.Key}: {g.Count()}"));
            Assert.True(DateTime.UtcNow < deadline, $"No trace joins the probe, a host and Redis. Spans per service: {seen}");
            await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        }
    }

    private static string KindName(int kind) => kind switch { 2 => "server", 3 => "client", _ => "internal" };

    /// <summary>Every span the dashboard holds, flattened out of its OTLP JSON.</summary>
    private static async Task<List<Span>> SpansAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/api/telemetry/spans?limit=5000", UriKind.Relative), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        var spans = new List<Span>();
        if (!document.RootElement.TryGetProperty("data", out var data) || !data.TryGetProperty("resourceSpans", out var resourceSpans))
        {
            return spans;
        }

        foreach (var resource in resourceSpans.EnumerateArray())
        {
            var service = Attributes(resource.GetProperty("resource")).GetValueOrDefault("service.name") ?? "?";
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                {
                    var start = Nanos(span.GetProperty("startTimeUnixNano"));
                    var end = Nanos(span.GetProperty("endTimeUnixNano"));
                    spans.Add(new Span(
                        service,
                        span.GetProperty("traceId").GetString()!,
                        span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null,
                        span.GetProperty("name").GetString()!,
                        span.TryGetProperty("kind", out var kind) ? KindOf(kind) : 0,
                        start,
                        (end - start) / 1e6,
                        Attributes(span)));
                }
            }
        }

        return spans;
    }

    /// <summary>OTLP JSON writes 64-bit integers as strings, but a number is accepted too.</summary>
    private static long Nanos(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : value.GetInt64();

    /// <summary>OTLP span kinds: 2 server, 3 client; written as a number, or as the enum name.</summary>
    private static int KindOf(JsonElement kind) => kind.ValueKind == JsonValueKind.Number ? kind.GetInt32() : kind.GetString() switch
    {
        "SPAN_KIND_SERVER" => 2,
        "SPAN_KIND_CLIENT" => 3,
        _ => 1,
    };

    private static Dictionary<string, string?> Attributes(JsonElement owner) =>
        owner.TryGetProperty("attributes", out var attributes)
            ? attributes.EnumerateArray().ToDictionary(
                a => a.GetProperty("key").GetString()!,
                a => (string?)a.GetProperty("value").EnumerateObject().FirstOrDefault().Value.ToString())
            : [];

    private sealed record Span(string Service, string TraceId, string SpanId, string? ParentSpanId, string Name, int Kind, long Start, double DurationMs, Dictionary<string, string?> Attributes);
}
