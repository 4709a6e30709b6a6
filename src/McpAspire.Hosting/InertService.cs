using Microsoft.Extensions.Hosting;

namespace McpAspire.Hosting;

/// <summary>A hosted service that does nothing: what a feature runs in place of its own where its prerequisite (Redis) is absent.</summary>
internal sealed class InertService : IHostedService
{
    public static InertService Instance { get; } = new();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
