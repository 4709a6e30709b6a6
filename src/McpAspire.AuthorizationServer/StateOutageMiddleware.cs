using McpAspire.State.Resilience;
using StackExchange.Redis;

namespace McpAspire.AuthorizationServer;

/// <summary>
/// Redis unreachable is the server's trouble, not the client's: a request that needed it gets 503 with
/// <c>temporarily_unavailable</c> (the OAuth error for it) and <c>Retry-After</c>, never a 500.
/// </summary>
internal sealed partial class StateOutageMiddleware(RequestDelegate next, ILogger<StateOutageMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (IsOutage(ex) && !context.Response.HasStarted)
        {
            Log.Unavailable(logger, context.Request.Path, (ex as StateUnavailableException ?? ex.InnerException)?.Message ?? ex.Message);
            context.Response.Clear();
            context.Response.Headers.RetryAfter = "5";
            await OAuthError.Json("temporarily_unavailable",
                "The authorization server cannot reach its store right now. Try again shortly; a code or refresh token sent just now may count as used, so if the retry is refused, sign in again.",
                StatusCodes.Status503ServiceUnavailable)
                .ExecuteAsync(context);
        }
    }

    private static bool IsOutage(Exception ex) =>
        ex is StateUnavailableException or RedisException or RedisTimeoutException ||
        (ex.InnerException is { } inner && IsOutage(inner));

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Request to {Path} refused with 503: {Reason}")]
        public static partial void Unavailable(ILogger logger, PathString path, string reason);
    }
}
