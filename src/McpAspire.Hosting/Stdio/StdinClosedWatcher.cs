using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.Stdio;

/// <summary>
/// Stops the sidecar as soon as its client closes stdin. The SDK's stdio session otherwise runs on until every call
/// in flight has finished, though nothing it writes can reach the client any more: a desktop client that quit in
/// the middle of a long call would leave the process behind for as long as the call lasts. Stopping the host cancels
/// those calls, flushes telemetry and exits 0.
/// </summary>
internal sealed class StdinClosedWatcher(ITransport transport, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await transport.MessageReader.Completion.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return; // Stopping for another reason (SIGTERM).
        }
        catch (Exception)
        {
            // The reader failed rather than reached the end: the client is gone all the same.
        }

        lifetime.StopApplication();
    }
}
