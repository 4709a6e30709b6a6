using System.Text.Json;
using McpAspire.Abstractions;
using McpAspire.Hosting.Http;
using McpAspire.Hosting.Sessions;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.Scaling;

/// <summary>
/// Stateful Streamable HTTP without sticky sessions: a session's <c>initialize</c> parameters and the user it belongs to
/// go to Redis as it starts, and a replica that gets a request for a session it has never seen adopts it from there,
/// for the same user only. A session that was deleted or expired is not adopted: the SDK answers 404 and the client
/// initializes again, as the specification prescribes.
/// </summary>
internal sealed partial class RedisSessionMigrationHandler(
    ISessionStore sessions,
    IOptions<McpAspireOptions> options,
    IOptions<McpAspireStateOptions> stateOptions,
    ILogger<RedisSessionMigrationHandler> logger) : ISessionMigrationHandler
{
    public async ValueTask OnSessionInitializedAsync(HttpContext context, string sessionId, InitializeRequestParams initializeParams, CancellationToken cancellationToken)
    {
        var caller = new McpCaller(
            HttpCallerAccessor.PrincipalOf(context),
            McpTransports.StreamableHttp,
            sessionId,
            options.Value.InstanceId,
            initializeParams.ProtocolVersion,
            initializeParams.ClientInfo.Name);
        var json = JsonSerializer.Serialize(initializeParams, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(InitializeRequestParams)));
        var origin = new SessionOrigin(json, SdkEndpoints.SessionUserOf(context.User));
        try
        {
            await SessionRecords.StartAsync(sessions, caller, origin, stateOptions.Value, cancellationToken);
        }
        catch (StateUnavailableException ex)
        {
            // The initialize is answered 503 (retry): another replica could not adopt this session.
            LogNotStarted(sessionId, ex.Message);
            throw;
        }
    }

    public async ValueTask<InitializeRequestParams?> AllowSessionMigrationAsync(HttpContext context, string sessionId, CancellationToken cancellationToken)
    {
        // A Redis outage throws StateUnavailableException: the edge answers 503, so the client retries rather than
        // throwing away a session that still exists.
        var record = await sessions.GetAsync(sessionId, cancellationToken);
        if (record?.Origin is not { InitializeParamsJson: { } json } origin || record.Transport != McpTransports.StreamableHttp)
        {
            LogNotAdopted(sessionId, "no such session in the shared store");
            return null;
        }

        if (origin.User != SdkEndpoints.SessionUserOf(context.User))
        {
            // Answered as unknown (404), not forbidden: a session id is not confirmed to someone it does not belong to.
            LogNotAdopted(sessionId, "it belongs to another user");
            return null;
        }

        LogAdopted(sessionId, record.OwnerInstance);
        return (InitializeRequestParams?)JsonSerializer.Deserialize(json, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(InitializeRequestParams)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} not started: it could not be recorded for the other replicas: {Reason}")]
    private partial void LogNotStarted(string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} adopted (last served by {Owner})")]
    private partial void LogAdopted(string sessionId, string owner);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} not adopted: {Reason}")]
    private partial void LogNotAdopted(string sessionId, string reason);
}
