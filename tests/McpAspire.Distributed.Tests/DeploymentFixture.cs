using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace McpAspire.Distributed.Tests;

/// <summary>The whole AppHost, started once for the class: embedded Garnet (no container runtime here), two front-end and two worker replicas.</summary>
public sealed class DeploymentFixture : IAsyncLifetime
{
    /// <summary>
    /// The whole start, on one deadline: StartAsync returns only once every resource's WaitFor is met, so it includes the
    /// Inspector's first <c>npm ci</c> and the hosts becoming healthy, on a machine busy with the other test suites.
    /// </summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(8);

    /// <summary>The latest state of every resource (replicas apart), for the message of a start that does not finish.</summary>
    private readonly ConcurrentDictionary<string, string> _states = new();

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The dashboard, on for this run (Aspire.Hosting.Testing turns it off by default) so its telemetry API can be read.</summary>
    public Uri Dashboard { get; } = new($"http://127.0.0.1:{FreePort()}");

    public async ValueTask InitializeAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StartTimeout);
        var ct = timeout.Token;
        var phase = "creating the AppHost's builder";
        try
        {
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
                .CreateAsync<Projects.McpAspire_AppHost>(args, (options, _) => options.DisableDashboard = false, ct);
            builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            phase = "building the AppHost";
            App = await builder.BuildAsync(ct);
            _ = RecordStatesAsync(App.ResourceNotifications, ct);
            phase = "starting the AppHost (every resource's WaitFor met)";
            await App.StartAsync(ct);
            foreach (var resource in new[] { "cache-garnet", "sse-frontend", "http-worker", "aspire-dashboard" })
            {
                phase = $"waiting for {resource} to be healthy";
                await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, ct);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"The AppHost did not start within {StartTimeout.TotalMinutes:0} min; it was {phase}. Resources:{Environment.NewLine}" +
                string.Join(Environment.NewLine, _states.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"  {s.Key}: {s.Value}")));
        }
    }

    private async Task RecordStatesAsync(ResourceNotificationService notifications, CancellationToken ct)
    {
        try
        {
            await foreach (var e in notifications.WatchAsync(ct))
            {
                var snapshot = e.Snapshot;
                _states[e.ResourceId] = $"{snapshot.State?.Text ?? "no state"}, health {snapshot.HealthStatus?.ToString() ?? "none"}" +
                    (snapshot.ExitCode is { } code ? $", exit code {code}" : "") +
                    string.Concat(snapshot.HealthReports.Where(r => r.Status is not HealthStatus.Healthy).Select(r => $"; {r.Name}: {r.Status?.ToString() ?? "not run"} {r.Description ?? r.ExceptionText}"));
            }
        }
        catch (OperationCanceledException)
        {
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
