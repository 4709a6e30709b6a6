using System.Diagnostics;
using McpAspire.Abstractions;
using McpAspire.Hosting.Http;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;

namespace McpAspire.Hosting.Telemetry;

/// <summary>
/// Adds what the SDK's server spans lack: the MCP transport the call came over, the replica that served it, and the
/// <c>Mcp-Session-Id</c> header the client sent (the SDK's <c>mcp.session.id</c> is its own per-instance id, which a
/// replica that adopted the session does not share with the one that began it).
/// </summary>
internal sealed class McpServerSpanEnricher(IHttpContextAccessor? http, string replicaId) : BaseProcessor<Activity>
{
    /// <summary>The SDK's ActivitySource and Meter.</summary>
    public const string McpSource = "Experimental.ModelContextProtocol";

    public const string TransportAttribute = "mcp.transport";

    public const string ReplicaAttribute = "mcpaspire.replica.id";

    /// <summary>A captured request header, named as the OpenTelemetry HTTP conventions name them.</summary>
    public const string SessionHeaderAttribute = "http.request.header.mcp-session-id";

    public override void OnStart(Activity data)
    {
        if (data.Kind != ActivityKind.Server || data.Source.Name != McpSource)
        {
            return;
        }

        data.SetTag(ReplicaAttribute, replicaId);
        var context = http?.HttpContext;
        try
        {
            data.SetTag(TransportAttribute, context is null ? McpTransports.Stdio : HttpCallerAccessor.TransportOf(context));
            if (context?.Request.Headers[McpHeaders.SessionId].ToString() is { Length: > 0 } sessionId)
            {
                data.SetTag(SessionHeaderAttribute, new[] { sessionId });
            }
        }
        catch (ObjectDisposedException)
        {
            // A notification the SDK handles after it has answered 202: the request can end (and its features be
            // disposed) while the span starts. Its span then carries the replica only.
        }
    }
}
