using System.Collections.Concurrent;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Validation;

/// <summary>
/// Refuses a request whose id is already taken by a request still in progress on the same session. MCP requires ids
/// unique per session; the SDK would run both, send two answers with one id (on stdio the client cannot tell them
/// apart) and track one cancellation for the two. For transports where requests share a session: stdio (one session
/// per process, no session id) and stateful HTTP; a stateless server is one request, so it has nothing to guard.
/// </summary>
public static class RequestIdGuard
{
    /// <summary>Ids in progress per session. The SDK hands each message its own <see cref="McpServer"/> view, so the session id is the key.</summary>
    private static readonly ConcurrentDictionary<(string Session, RequestId Id), byte> InFlight = new();

    /// <summary>The incoming message filter; register with <c>AddIncomingFilter</c>.</summary>
    public static McpMessageHandler Filter(McpMessageHandler next) =>
        async (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is not JsonRpcRequest request)
            {
                await next(context, cancellationToken);
                return;
            }

            var key = (context.Server.SessionId ?? "", request.Id);
            if (!InFlight.TryAdd(key, 0))
            {
                throw new McpProtocolException(
                    $"Invalid Request: id {request.Id} is already taken by a request in progress on this session; give every request its own id.",
                    McpErrorCode.InvalidRequest);
            }

            try
            {
                await next(context, cancellationToken);
            }
            finally
            {
                InFlight.TryRemove(key, out _);
            }
        };
}
