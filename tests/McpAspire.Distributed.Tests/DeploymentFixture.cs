using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpAspire.Distributed.Tests;

/// <summary>The whole AppHost, started once for the class: embedded Garnet (no container runtime here), two front-end and two worker replicas.</summary>
public sealed class DeploymentFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public DistributedApplication App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = await DistributedApplicationTestingBuilder
            .CreateAsync<Projects.McpAspire_AppHost>(["McpAspire:Cache=garnet"], ct)
            .WaitAsync(StartTimeout, ct);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        App = await builder.BuildAsync(ct).WaitAsync(StartTimeout, ct);
        await App.StartAsync(ct).WaitAsync(StartTimeout, ct);
        foreach (var resource in new[] { "cache-garnet", "sse-frontend", "http-worker" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, ct).WaitAsync(StartTimeout, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await App.DisposeAsync();
        }
    }
}
