using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace McpAspire.Testing;

/// <summary>
/// A load balancer on a loopback port (YARP, in this process) that sends every request, not every connection, to the
/// next replica in turn, with no session affinity: two requests in a row never reach the same replica. The client's
/// Host header goes through unchanged, as behind a platform's ingress.
/// </summary>
public sealed class RoundRobinProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _requests = new();

    private RoundRobinProxy(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>How many requests each replica (by its address) was sent.</summary>
    public IReadOnlyDictionary<string, int> RequestsPerReplica => _requests;

    public static async Task<RoundRobinProxy> StartAsync(IReadOnlyList<Uri> replicas, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddReverseProxy().LoadFromMemory(
            [
                new RouteConfig
                {
                    RouteId = "mcp",
                    ClusterId = "replicas",
                    Match = new RouteMatch { Path = "{**catch-all}" },
                    Transforms = [new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" }],
                },
            ],
            [
                new ClusterConfig
                {
                    ClusterId = "replicas",
                    LoadBalancingPolicy = "RoundRobin",
                    Destinations = replicas.Select((uri, i) => (uri, i)).ToDictionary(r => $"replica-{r.i}", r => new DestinationConfig { Address = r.uri.ToString() }),
                },
            ]);

        var app = builder.Build();
        var proxy = new RoundRobinProxy(app);
        app.MapReverseProxy(pipeline =>
        {
            pipeline.UseLoadBalancing();
            // Counted once the balancer has chosen, before the request goes out: a count never trails the response.
            pipeline.Use((context, next) =>
            {
                if (context.Features.Get<IReverseProxyFeature>()?.AvailableDestinations is [var chosen])
                {
                    proxy._requests.AddOrUpdate(chosen.Model.Config.Address, 1, (_, count) => count + 1);
                }

                return next();
            });
        });
        await app.StartAsync(cancellationToken);
        proxy.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
