using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using McpAspire.Abstractions;
using McpAspire.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Changes;

/// <summary>
/// <c>subscriptions/listen</c> (2026-07-28) on every replica and transport: the stream is acknowledged with what it was
/// granted (resource updates for the URIs it named, and resource list changes; this deployment's tools and prompts never
/// change) and then carries every matching change published anywhere (<see cref="IChangeFeed"/>), for the listening
/// principal's own resources only, each once and in the order this replica received them, tagged with the subscription
/// id. It stays open until the client closes it or the replica drains; a principal has at most
/// <c>McpAspire:MaxListenStreamsPerPrincipal</c> open on one replica.
/// </summary>
internal static partial class ChangeListenHandler
{
    private static readonly JsonTypeInfo<SubscriptionsAcknowledgedNotificationParams> AcknowledgedJson =
        (JsonTypeInfo<SubscriptionsAcknowledgedNotificationParams>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(SubscriptionsAcknowledgedNotificationParams));

    public static async ValueTask<EmptyResult> ListenAsync(RequestContext<SubscriptionsListenRequestParams> request, CancellationToken cancellationToken)
    {
        var services = request.Services ?? request.Server.Services!;
        var principal = services.GetRequiredService<IMcpCallerAccessor>().GetCaller(request.Server, request.User).Principal;
        var requested = request.Params!.Notifications;
        var granted = new SubscriptionsListenNotifications
        {
            ResourcesListChanged = requested.ResourcesListChanged == true ? true : null,
            ResourceSubscriptions = requested.ResourceSubscriptions is { Count: > 0 } uris ? [.. uris.Distinct(StringComparer.Ordinal)] : null,
        };
        var watched = granted.ResourceSubscriptions?.ToHashSet(StringComparer.Ordinal) ?? [];
        var subscriptionId = request.JsonRpcRequest!.Id;

        var streams = services.GetRequiredService<ListenStreams>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ChangeListenHandler));
        var max = services.GetRequiredService<IOptions<McpAspireOptions>>().Value.MaxListenStreamsPerPrincipal;
        if (!streams.TryOpen(principal, max))
        {
            var refused = new McpProtocolException($"Too many listen streams: {max} are open for this caller on this replica. Close one, then listen again.", McpAspireErrorCodes.RateLimited);
            refused.Data["limit"] = max;
            throw refused;
        }

        try
        {
            using var listener = services.GetRequiredService<IChangeFeed>().Listen();
            var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
            using var open = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
            await SendAsync(request.Server, NotificationMethods.SubscriptionsAcknowledgedNotification,
                JsonSerializer.SerializeToNode(new SubscriptionsAcknowledgedNotificationParams { Notifications = granted }, AcknowledgedJson), subscriptionId, cancellationToken);
            // The stream's end ends the listener rather than cancelling the read: a client leaving ends the loop below
            // normally, with no exception to unwind (ten thousand clients leaving at once are that many loops ending).
            using var ends = open.Token.UnsafeRegister(static state => ((ChangeListener)state!).End(), listener);
            try
            {
                await foreach (var change in listener.Changes.ReadAllAsync(CancellationToken.None))
                {
                    if (change.Owner != principal)
                    {
                        continue;
                    }

                    if (watched.Contains(change.Uri))
                    {
                        await SendAsync(request.Server, NotificationMethods.ResourceUpdatedNotification, new JsonObject { ["uri"] = change.Uri }, subscriptionId, open.Token);
                    }

                    if (change.ListChanged && granted.ResourcesListChanged == true)
                    {
                        await SendAsync(request.Server, NotificationMethods.ResourceListChangedNotification, null, subscriptionId, open.Token);
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The replica is draining: the stream ends cleanly, and the client listens again on another replica.
            }
            catch (ChangeListenerOverflowException ex)
            {
                throw new McpProtocolException(ex.Message, McpErrorCode.InternalError);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                // The client has left. All that is left to do (this handler's clean-up, then the SDK's and Kestrel's
                // teardown after it returns, up to their first real wait) runs on the teardown lane, one stream after
                // another, so a crowd leaving at once does not hold up new requests on the thread pool.
                await streams.MoveToTeardownLane();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client ended its listen while a notification was being sent; below, as when it ends while waiting.
        }
        finally
        {
            streams.Close(principal);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // The client ended its listen (closed the stream or cancelled the request): how every listen ends, not a
            // fault, so nothing is thrown for the SDK to log as a failed handler with its stack.
            LogListenEnded(logger, principal);
        }

        return new EmptyResult();
    }

    /// <summary>Sends <paramref name="method"/> on the listen stream, its <c>_meta</c> naming the subscription (the listen request's id).</summary>
    private static Task SendAsync(McpServer server, string method, JsonNode? parameters, RequestId subscriptionId, CancellationToken cancellationToken)
    {
        var body = parameters as JsonObject ?? new JsonObject();
        body["_meta"] = new JsonObject
        {
            [MetaKeys.SubscriptionId] = subscriptionId.Id switch
            {
                string id => JsonValue.Create(id),
                long id => JsonValue.Create(id),
                _ => null,
            },
        };
        return server.SendNotificationAsync(method, body, cancellationToken: cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A listen stream of {Principal} was ended by its client")]
    private static partial void LogListenEnded(ILogger logger, string principal);
}
