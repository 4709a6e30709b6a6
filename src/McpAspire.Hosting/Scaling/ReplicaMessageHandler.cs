using McpAspire.Hosting.Http;
using McpAspire.Hosting.Scaling;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpAspire.Hosting.Scaling;

/// <summary>Delivers what other replicas send to the sessions this replica holds, through the SDK's own endpoints.</summary>
internal sealed partial class ReplicaMessageHandler(SdkEndpoints sdk, LocalSessions local, ILogger<ReplicaMessageHandler> logger) : IReplicaMessageHandler
{
    public Task<ForwardedAnswer> OnForwardedAsync(SessionMessage message) =>
        local.Holds(message.SessionId)
            ? sdk.PostLegacyMessageAsync(message)
            // The stream closed between the sender's lookup and now.
            : Task.FromResult(new ForwardedAnswer(StatusCodes.Status404NotFound, "application/json",
                JsonRpcErrors.Body(JsonRpcErrors.SessionNotFound, JsonRpcErrors.SessionNotFoundMessage)));

    public async Task OnBroadcastAsync(SessionMessage message)
    {
        if (!local.HoldsStreamable(message.SessionId))
        {
            return;
        }

        var answer = message.Body is null ? await sdk.DeleteStreamableAsync(message) : await sdk.PostStreamableAsync(message);
        LogDelivered(message.SessionId, message.Body is null ? "end" : "message", answer.StatusCode);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: {Kind} from another replica delivered here ({Status})")]
    private partial void LogDelivered(string sessionId, string kind, int status);
}
