using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using McpAspire.Testing;
using ModelContextProtocol.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpAspire.Distributed.Tests;

/// <summary>
/// The whole AppHost, started once for every class of the collection: embedded Garnet (no container runtime here), two
/// front-end, two worker and two authorization server replicas, and the development identity provider.
/// </summary>
public sealed class DeploymentFixture : IAsyncLifetime
{
    public const string Collection = "deployment";

    /// <summary>
    /// The whole start, on one deadline: StartAsync returns only once every resource's WaitFor is met, so it includes the
    /// Inspector's first <c>npm ci</c> and the hosts becoming healthy, on a machine busy with the other test suites.
    /// </summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(8);

    /// <summary>The resources every test here needs; one that ends with an error fails the start at once.</summary>
    private static readonly string[] Required = ["cache-garnet", "sse-frontend", "http-worker", "auth", "dev-identity", "aspire-dashboard"];

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The API key the AppHost generated for this run (the probe's): the machine credential beside sign-in.</summary>
    public string ApiKey { get; private set; } = "";

    /// <summary>The authority the tests' Client ID Metadata Documents are served with; the authorization server trusts it.</summary>
    public TestCertificates Certificates { get; } = new();

    /// <summary>The dashboard, on for this run (Aspire.Hosting.Testing turns it off by default) so its telemetry API can be read.</summary>
    public Uri Dashboard { get; } = new($"http://127.0.0.1:{FreePort()}");

    /// <summary>The dashboard's OTLP (gRPC) endpoint, where every resource sends its telemetry.</summary>
    public Uri DashboardOtlp { get; } = new($"http://127.0.0.1:{FreePort()}");

    public async ValueTask InitializeAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StartTimeout);
        using var watch = new StartWatch(Required);
        var phase = "creating the AppHost's builder";
        try
        {
            var start = StartAsync(watch, p => phase = p, timeout.Token);
            if (await Task.WhenAny(start, watch.Failed) == watch.Failed)
            {
                var failed = await watch.Failed;
                await timeout.CancelAsync(); // the start can no longer finish; DisposeAsync stops what it began
                throw new InvalidOperationException(
                    $"{failed} ended with an error while the AppHost was {phase}. Resources:{Environment.NewLine}{watch.Report()}");
            }

            await start;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"The AppHost did not start within {StartTimeout.TotalMinutes:0} min; it was {phase}. Resources:{Environment.NewLine}{watch.Report()}");
        }
    }

    private async Task StartAsync(StartWatch watch, Action<string> phase, CancellationToken ct)
    {
        // Every dashboard port is free-picked, so a developer's own AppHost run does not collide with the tests.
        string[] args =
        [
            "McpAspire:Cache=garnet",
            $"ASPNETCORE_URLS={Dashboard}",
            $"ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL={DashboardOtlp}",
            $"ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
            "ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
            "ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true",
        ];
        var builder = await DistributedApplicationTestingBuilder
            .CreateAsync<Projects.McpAspire_AppHost>(args, (options, _) => options.DisableDashboard = false, ct);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            // The hosts' settings do not change during the run, and every process of the test run shares the user's inotify
            // instances (128 by default on Linux): a host that cannot watch its appsettings files does not start at all.
            builder.CreateResourceBuilder(project).WithEnvironment("DOTNET_hostBuilder__reloadConfigOnChange", "false");
        }

        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "auth"))
            .WithEnvironment("McpAspire__AuthServer__ClientMetadataDocuments__TrustedCaCertificatePath", Certificates.AuthorityPemPath);

        phase("building the AppHost");
        App = await builder.BuildAsync(ct);
        watch.Start(App);
        phase("starting the AppHost (every resource's WaitFor met)");
        await App.StartAsync(ct);
        foreach (var resource in Required)
        {
            phase($"waiting for {resource} to be healthy");
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, ct);
        }

        var key = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>().Single(p => p.Name == "mcp-api-key");
        ApiKey = await key.GetValueAsync(ct) ?? throw new InvalidOperationException("The AppHost generated no API key.");
    }

    /// <summary>An HTTP client for a resource's http endpoint that sends the API key.</summary>
    public HttpClient HttpWithKey(string resource)
    {
        var http = App.CreateHttpClient(resource, "http");
        http.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        return http;
    }

    /// <summary>A transport to one of a remote host's MCP endpoints that sends the API key.</summary>
    public HttpClientTransport Transport(Uri endpoint, HttpTransportMode mode = HttpTransportMode.StreamableHttp) => new(new HttpClientTransportOptions
    {
        Endpoint = endpoint,
        TransportMode = mode,
        AdditionalHeaders = new Dictionary<string, string> { ["X-API-Key"] = ApiKey },
    });

    public Uri Endpoint(string resource, string path) => new(App.GetEndpoint(resource, "http"), path);

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

        Certificates.Dispose();
    }
}
