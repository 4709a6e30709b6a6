using System.Collections.Concurrent;
using McpAspire.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Changes;

/// <summary>
/// <c>resources/subscribe</c> of 2025-era sessions (stdio, stateful HTTP), fed by the same change feed as the 2026-07-28
/// listen streams: a change published anywhere reaches a session of its owner that subscribed to its URI, as
/// <c>notifications/resources/updated</c> on the session's own channel (the stdio pipe, the session's GET stream on the
/// replica holding the session). A stateless host has no session to send on, and refuses a subscription.
/// </summary>
internal sealed partial class ResourceSubscriptions(IOptions<McpAspireFeatures> features, ILogger<ResourceSubscriptions> logger, IChangeFeed? feed = null)
    : IHostedService, IDisposable
{
    /// <summary>The key of the one session of a stdio process, which the protocol leaves unnamed.</summary>
    private const string StdioSession = "stdio";

    private readonly ConcurrentDictionary<string, McpServer> _sessionServers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Subscriber> _subscribers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private ChangeListener? _listener;
    private Task _pump = Task.CompletedTask;

    /// <summary>Records the session-level server of a stateful HTTP session, which outlives the request that subscribes.</summary>
    public void Attach(string sessionId, McpServer server) => _sessionServers[sessionId] = server;

    /// <summary>Forgets a session that ended, with its subscriptions.</summary>
    public void Detach(string sessionId)
    {
        _sessionServers.TryRemove(sessionId, out _);
        _subscribers.TryRemove(sessionId, out _);
    }

    public static ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var services = request.Services ?? request.Server.Services!;
        var table = services.GetRequiredService<ResourceSubscriptions>();
        var sessionId = table.SessionOf(request.Server);
        var principal = services.GetRequiredService<IMcpCallerAccessor>().GetCaller(request.Server, request.User).Principal;
        var server = table._sessionServers.GetValueOrDefault(sessionId) ?? request.Server;
        table._subscribers.GetOrAdd(sessionId, _ => new Subscriber(server, principal)).Uris.TryAdd(request.Params!.Uri, 0);
        return ValueTask.FromResult(new EmptyResult());
    }

    public static ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var services = request.Services ?? request.Server.Services!;
        var table = services.GetRequiredService<ResourceSubscriptions>();
        if (table._subscribers.TryGetValue(table.SessionOf(request.Server), out var subscriber))
        {
            subscriber.Uris.TryRemove(request.Params!.Uri, out _);
        }

        return ValueTask.FromResult(new EmptyResult());
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (feed is not null)
        {
            _listener = feed.Listen();
            _pump = PumpAsync(_listener, _stopping.Token);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _listener?.Dispose();
        await _pump.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _stopping.Dispose();
    }

    private string SessionOf(McpServer server) => features.Value.Transport switch
    {
        McpAspireTransport.Stdio => server.SessionId ?? StdioSession,
        McpAspireTransport.StatefulHttp when server.SessionId is { } id => id,
        _ => throw new McpProtocolException(
            "Resource subscriptions need a session, and this host serves Streamable HTTP statelessly: listen for changes with subscriptions/listen (2026-07-28).",
            McpErrorCode.InvalidRequest),
    };

    private async Task PumpAsync(ChangeListener listener, CancellationToken stopping)
    {
        try
        {
            await foreach (var change in listener.Changes.ReadAllAsync(stopping))
            {
                foreach (var (sessionId, subscriber) in _subscribers)
                {
                    if (subscriber.Principal != change.Owner || !subscriber.Uris.ContainsKey(change.Uri))
                    {
                        continue;
                    }

                    try
                    {
                        await subscriber.Server.SendNotificationAsync(NotificationMethods.ResourceUpdatedNotification,
                            new ResourceUpdatedNotificationParams { Uri = change.Uri }, cancellationToken: stopping);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // A session whose channel is gone must not keep the others from hearing of the change.
                        LogNotDelivered(sessionId, change.Uri, ex.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (ChangeListenerOverflowException ex)
        {
            LogFellBehind(ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Update of {Uri} not delivered to session {SessionId}: {Reason}")]
    private partial void LogNotDelivered(string sessionId, string uri, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Resource subscriptions stopped hearing changes: {Reason}")]
    private partial void LogFellBehind(string reason);

    private sealed record Subscriber(McpServer Server, string Principal)
    {
        public ConcurrentDictionary<string, byte> Uris { get; } = new(StringComparer.Ordinal);
    }
}
