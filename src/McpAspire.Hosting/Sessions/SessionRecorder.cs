using McpAspire.Abstractions;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Sessions;

/// <summary>
/// Touches the caller's session record on every request after initialize, on every transport. The touch runs beside
/// the request, not in front of it: a session record is bookkeeping, and a Redis outage must not fail the call.
/// Where the state is this process's own (no Redis configured) it does nothing: nobody else would read the record.
/// </summary>
internal static partial class SessionRecorder
{
    public static McpMessageHandler Filter(McpMessageHandler next) =>
        async (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is JsonRpcRequest { Method: not RequestMethods.Initialize } &&
                (context.Services ?? context.Server.Services) is { } services &&
                McpStateServices.IsShared(services))
            {
                var store = services.GetRequiredService<ISessionStore>();
                var caller = services.GetRequiredService<IMcpCallerAccessor>().GetCaller(context.Server, context.User);
                var logger = services.GetRequiredService<ILogger<ISessionStore>>();
                _ = TouchAsync(store, caller, logger);
            }

            await next(context, cancellationToken);
        };

    private static async Task TouchAsync(ISessionStore store, McpCaller caller, ILogger logger)
    {
        try
        {
            await store.TouchAsync(caller, CancellationToken.None);
        }
        catch (StateUnavailableException ex)
        {
            LogTouchFailed(logger, caller.Transport, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session record not updated ({Transport}): {Reason}")]
    private static partial void LogTouchFailed(ILogger logger, string transport, string reason);
}
