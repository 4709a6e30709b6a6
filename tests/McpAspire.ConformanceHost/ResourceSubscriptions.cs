using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.ConformanceHost;

/// <summary>
/// resources/subscribe and resources/unsubscribe for resources-subscribe and -unsubscribe: which session watches which URI.
/// The fixtures never change, so no notifications/resources/updated is ever due; the table only records intent.
/// </summary>
internal sealed class ResourceSubscriptions
{
    private readonly ConcurrentDictionary<(string SessionId, string Uri), byte> subscriptions = new();

    public static ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var table = request.Services!.GetRequiredService<ResourceSubscriptions>();
        table.subscriptions.TryAdd((SessionOf(request.Server), request.Params!.Uri), 0);
        return ValueTask.FromResult(new EmptyResult());
    }

    public static ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var table = request.Services!.GetRequiredService<ResourceSubscriptions>();
        table.subscriptions.TryRemove((SessionOf(request.Server), request.Params!.Uri), out _);
        return ValueTask.FromResult(new EmptyResult());
    }

    // A stateless host has no session to key the table by, and no stream to send an update on later.
    private static string SessionOf(McpServer server) =>
        server.SessionId ?? throw new McpProtocolException(
            "Resource subscriptions need a session; this host serves Streamable HTTP statelessly.", McpErrorCode.InvalidRequest);
}
