using System.Collections.Concurrent;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Validation;

/// <summary>
/// Refuses a request whose id is already taken by a request still in progress on the same session. MCP requires ids
/// unique per session; the SDK would run both, send two answers with one id (on stdio the client cannot tell them
/// apart) and track one cancellation for the two. For transports where requests share a session: stdio (one session
/// per process, no session id) and stateful HTTP; a stateless server is one request, so it has nothing to guard.
/// </summary>
internal static class RequestIdGuard
{
    /// <summary>Ids in progress per session. The SDK hands each message its own <see cref="McpServer"/> view, so the session id is the key.</summary>
    private static readonly ConcurrentDictionary<(string Session, RequestId Id), object> InFlight = new();

    /// <summary>The request whose handling this is, so its answer can free the id on the way out.</summary>
    private static readonly AsyncLocal<KeyValuePair<(string Session, RequestId Id), object>?> Current = new();

    /// <summary>The incoming message filter; register with <c>AddIncomingFilter</c>.</summary>
    public static McpMessageHandler Incoming(McpMessageHandler next) =>
        async (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is not JsonRpcRequest request)
            {
                await next(context, cancellationToken);
                return;
            }

            var entry = KeyValuePair.Create((context.Server.SessionId ?? "", request.Id), new object());
            if (!InFlight.TryAdd(entry.Key, entry.Value))
            {
                throw new McpProtocolException(
                    $"Invalid Request: id {request.Id} is already taken by a request in progress on this session; give every request its own id.",
                    McpErrorCode.InvalidRequest);
            }

            Current.Value = entry;
            try
            {
                await next(context, cancellationToken);
            }
            finally
            {
                // A request that ends without an answer (cancelled) frees its id here.
                InFlight.TryRemove(entry);
            }
        };

    /// <summary>
    /// The outgoing message filter; register with <c>AddOutgoingFilter</c>. The SDK sends a request's result from
    /// within its handling, so the id is freed before the client can read the answer and send the id again.
    /// </summary>
    public static McpMessageHandler Outgoing(McpMessageHandler next) =>
        (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is JsonRpcResponse response && Current.Value is { } entry && entry.Key.Id == response.Id)
            {
                InFlight.TryRemove(entry);
            }

            return next(context, cancellationToken);
        };
}
