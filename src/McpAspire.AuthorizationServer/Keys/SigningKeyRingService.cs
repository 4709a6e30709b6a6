using McpAspire.State.Resilience;
using Microsoft.Extensions.Options;

namespace McpAspire.AuthorizationServer.Keys;

/// <summary>Loads the signing keys before the server takes requests, then refreshes them every <see cref="SigningKeyOptions.RefreshInterval"/>; a refresh Redis cannot serve is tried again at the next.</summary>
internal sealed partial class SigningKeyRingService(SigningKeyRing ring, TimeProvider time, IOptions<AuthServerOptions> options, ILogger<SigningKeyRingService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ring.RefreshAsync(cancellationToken);
        }
        catch (StateUnavailableException ex)
        {
            Log.RefreshFailed(logger, ex.Message);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SigningKeys.RefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ring.RefreshAsync(stoppingToken);
            }
            catch (StateUnavailableException ex)
            {
                Log.RefreshFailed(logger, ex.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The signing keys could not be refreshed: {Reason}")]
        public static partial void RefreshFailed(ILogger logger, string reason);
    }
}
