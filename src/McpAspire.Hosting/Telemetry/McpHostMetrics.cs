using System.Diagnostics.Metrics;
using McpAspire.Abstractions;
using McpAspire.Hosting.Changes;
using McpAspire.Hosting.Http;
using McpAspire.Hosting.Scaling;
using McpAspire.Hosting.Tasks;
using McpAspire.State;

namespace McpAspire.Hosting.Telemetry;

/// <summary>
/// What an HTTP host reports: sessions it holds per transport, the event streams it has open, and requests its
/// security edge refused.
/// </summary>
internal sealed class McpHostMetrics
{
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _refusals;

    public McpHostMetrics(IMeterFactory meterFactory, SseKeepAlive streams, ListenStreams? listens = null, TaskRunner? tasks = null, LocalSessions? sessions = null)
    {
        var meter = meterFactory.Create(McpAspireTelemetry.Name);
        _authFailures = meter.CreateCounter<long>("mcpaspire.auth.failures", unit: "{request}",
            description: "Requests refused 401 because they carried no credentials or credentials that are not valid, by reason.");
        _refusals = meter.CreateCounter<long>("mcpaspire.security.refusals", unit: "{request}",
            description: "Requests the security edge refused before authentication (client rate, plain HTTP, network, origin, body size) or for a tool outside the caller's scopes, by reason.");
        meter.CreateObservableGauge("mcpaspire.sse.streams.open", () => streams.OpenStreams, unit: "{stream}",
            description: "Event streams open on this replica (legacy GET /sse, Streamable HTTP GET, subscriptions/listen).");
        if (listens is not null)
        {
            meter.CreateObservableGauge("mcpaspire.listen.streams.open", () => listens.Open, unit: "{stream}",
                description: "subscriptions/listen streams open on this replica.");
        }

        if (tasks is not null)
        {
            meter.CreateObservableGauge("mcpaspire.tasks.running", () =>
            {
                var (working, inputRequired) = tasks.Counts();
                return new[]
                {
                    new Measurement<int>(working, new KeyValuePair<string, object?>("mcp.task.status", "working")),
                    new Measurement<int>(inputRequired, new KeyValuePair<string, object?>("mcp.task.status", "input_required")),
                };
            }, unit: "{task}", description: "Tasks running on this replica, by status.");
        }

        if (sessions is not null)
        {
            meter.CreateObservableGauge("mcpaspire.sessions.active", () => new[]
            {
                new Measurement<int>(sessions.CountLegacy, new KeyValuePair<string, object?>("mcp.transport", McpTransports.Sse)),
                new Measurement<int>(sessions.Count - sessions.CountLegacy, new KeyValuePair<string, object?>("mcp.transport", McpTransports.StreamableHttp)),
            }, unit: "{session}", description: "Sessions this replica holds in memory, per transport.");
        }
    }

    public void AuthenticationFailed(string reason) => _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Refused(string reason) => _refusals.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
