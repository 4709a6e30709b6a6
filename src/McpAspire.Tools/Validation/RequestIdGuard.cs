using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Validation;

/// <summary>
/// Refuses a request whose id is already taken by a request still in progress on the same session. MCP requires ids
/// unique per session; the SDK would run both, send two answers with one id (on stdio the client cannot tell them
/// apart) and track one cancellation for the two.
/// </summary>
public static class RequestIdGuard
{
    private static readonly ConditionalWeakTable<McpServer, ConcurrentDictionary<RequestId, byte>> InFlight = [];

    /// <summary>The incoming message filter; register with <c>AddIncomingFilter</c>.</summary>
    public static McpMessageHandler Filter(McpMessageHandler next) =>
        async (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is not JsonRpcRequest request)
            {
                await next(context, cancellationToken);
                return;
            }

            var inFlight = InFlight.GetOrCreateValue(context.Server);
            if (!inFlight.TryAdd(request.Id, 0))
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
                inFlight.TryRemove(request.Id, out _);
            }
        };
}
