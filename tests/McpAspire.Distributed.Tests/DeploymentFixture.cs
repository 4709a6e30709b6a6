using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpAspire.Distributed.Tests;

/// <summary>The whole AppHost, started once for the class: embedded Garnet (no container runtime here), two front-end and two worker replicas.</summary>
public sealed class DeploymentFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The dashboard, on for this run (Aspire.Hosting.Testing turns it off by default) so its telemetry API can be read.</summary>
    public Uri Dashboard { get; } = new($"http://127.0.0.1:{FreePort()}");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        // Every dashboard port is free-picked, so a developer's own AppHost run does not collide with the tests.
        string[] args =
        [
            "McpAspire:Cache=garnet",
            $"ASPNETCORE_URLS={Dashboard}",
            $"ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
            $"ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
            "ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
            "ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true",
        ];
        var builder = await DistributedApplicationTestingBuilder
            .CreateAsync<Projects.McpAspire_AppHost>(args, (options, _) => options.DisableDashboard = false, ct)
            .WaitAsync(StartTimeout, ct);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        App = await builder.BuildAsync(ct).WaitAsync(StartTimeout, ct);
        await App.StartAsync(ct).WaitAsync(StartTimeout, ct);
        foreach (var resource in new[] { "cache-garnet", "sse-frontend", "http-worker", "aspire-dashboard" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, ct).WaitAsync(StartTimeout, ct);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
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
