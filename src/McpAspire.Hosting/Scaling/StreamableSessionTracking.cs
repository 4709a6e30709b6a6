using McpAspire.Abstractions;
using McpAspire.Hosting.Changes;
using McpAspire.Hosting.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// The SDK's session handler on the front-end: keeps <see cref="LocalSessions"/> true for Streamable HTTP sessions,
/// from the SDK creating one to its end; a legacy session first has its endpoint event released to the client
/// (<see cref="LegacySessionAnnouncer"/>, which tracks it around its GET /sse request).
/// </summary>
internal static class StreamableSessionTracking
{
    public static async Task RunSessionAsync(HttpContext context, McpServer server, CancellationToken cancellationToken)
    {
        // Resource subscriptions of the session send their updates on the session's own channel, long after the request
        // that subscribed.
        var subscriptions = context.RequestServices.GetService<ResourceSubscriptions>();
        if (server.SessionId is { } subscribable)
        {
            subscriptions?.Attach(subscribable, server);
        }

        try
        {
            await RunAsync(context, server, cancellationToken);
        }
        finally
        {
            if (server.SessionId is { } ended)
            {
                subscriptions?.Detach(ended);
            }
        }
    }

    private static async Task RunAsync(HttpContext context, McpServer server, CancellationToken cancellationToken)
    {
        if (HttpCallerAccessor.TransportOf(context) == McpTransports.Sse)
        {
            await context.RequestServices.GetRequiredService<LegacySessionAnnouncer>().ReleaseEndpointAsync(context, cancellationToken);
            await server.RunAsync(cancellationToken);
            return;
        }

        if (server.SessionId is not { } sessionId)
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
