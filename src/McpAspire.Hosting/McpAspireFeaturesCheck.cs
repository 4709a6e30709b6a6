using McpAspire.Abstractions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting;

/// <summary>
/// The first hosted service built: building it validates the host's features (<see cref="McpAspireFeaturesValidator"/>),
/// throwing <see cref="OptionsValidationException"/> that names what to add. It does nothing once the host runs.
/// </summary>
internal sealed class McpAspireFeaturesCheck : IHostedService
{
    public McpAspireFeaturesCheck(IOptions<McpAspireFeatures> features) => _ = features.Value;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
