using System.Diagnostics.Metrics;
using McpAspire.Hosting.Http;
using McpAspire.Hosting.Scaling;
using McpAspire.State;
using McpAspire.Tools;

namespace McpAspire.Hosting.Telemetry;

/// <summary>Gauges of an HTTP host: sessions it holds per transport, and the event streams it has open.</summary>
internal sealed class McpHostMetrics
{
    public McpHostMetrics(IMeterFactory meterFactory, SseKeepAlive streams, LocalSessions? sessions = null)
    {
        var meter = meterFactory.Create(StateMetrics.MeterName);
        meter.CreateObservableGauge("mcpaspire.sse.streams.open", () => streams.OpenStreams, unit: "{stream}",
            description: "Event streams open on this replica (legacy GET /sse and Streamable HTTP GET).");
        if (sessions is not null)
        {
            meter.CreateObservableGauge("mcpaspire.sessions.active", () => new[]
            {
                new Measurement<int>(sessions.CountLegacy, new KeyValuePair<string, object?>("mcp.transport", McpTransports.Sse)),
                new Measurement<int>(sessions.Count - sessions.CountLegacy, new KeyValuePair<string, object?>("mcp.transport", McpTransports.StreamableHttp)),
            }, unit: "{session}", description: "Sessions this replica holds in memory, per transport.");
        }
    }
}
