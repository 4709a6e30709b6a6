using McpAspire.Hosting.Http;
using McpAspire.Tools;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Scaling;

/// <summary>Keeps <see cref="LocalSessions"/> true for Streamable HTTP sessions: from the SDK creating one to its end.</summary>
internal static class StreamableSessionTracking
{
    public static async Task RunSessionAsync(HttpContext context, McpServer server, CancellationToken cancellationToken)
    {
        // Legacy sessions are tracked around their GET /sse request (LegacySessionAnnouncer).
        if (HttpCallerAccessor.TransportOf(context) == McpTransports.Sse || server.SessionId is not { } sessionId)
        {
            await server.RunAsync(cancellationToken);
            return;
        }

        var local = context.RequestServices.GetRequiredService<LocalSessions>();
        local.Add(sessionId, legacy: false);
        try
        {
            await server.RunAsync(cancellationToken);
        }
        finally
        {
            local.Remove(sessionId);
        }
    }
}
