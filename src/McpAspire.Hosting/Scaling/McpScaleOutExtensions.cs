using McpAspire.Abstractions;
using McpAspire.Hosting;
using McpAspire.Hosting.Scaling;
using McpAspire.Hosting.Streams;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.AspNetCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>The stateful HTTP transport as one of many replicas, with no sticky sessions.</summary>
public static class McpScaleOutExtensions
{
    /// <summary>
    /// Runs the stateful HTTP transport as one of many replicas with no session affinity, through the Redis of
    /// <c>AddMcpAspireState</c>: sessions are adopted from Redis on any replica, streams resume from the event log there,
    /// and a legacy SSE post is routed to the replica holding its stream. Needs Redis (<c>AddMcpAspireState</c> with its
    /// connection string) and the stateful transport: without either the host stops at start-up, saying which.
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireScaleOut(this IMcpServerBuilder builder)
    {
        var services = builder.Services;
        services.Configure<McpAspireFeatures>(features => features.ScaleOut = true);
        // Built on first use, which is only where Redis is configured (see WithRedis): without it the host stops at its
        // start-up validation (McpAspireFeaturesValidator), which runs after the hosted services are built, so these must
        // not fail to build first.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<SdkEndpoints>(sp));
        services.AddSingleton<IReplicaMessageHandler>(sp => ActivatorUtilities.CreateInstance<ReplicaMessageHandler>(sp));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ReplicaBus>(sp));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RedisSessionMigrationHandler>(sp));
        services.AddSingleton<IHostedService>(sp => WithRedis(sp) ? sp.GetRequiredService<ReplicaPresence>() : InertService.Instance);
        services.AddSingleton<IHostedService>(sp => WithRedis(sp) ? sp.GetRequiredService<ReplicaBus>() : InertService.Instance);
        services.AddHealthChecks().AddCheck<ReplicaBusHealthCheck>("replica-bus", tags: ["ready"]);
        services.AddOptions<HttpServerTransportOptions>().Configure<IServiceProvider>((options, sp) =>
        {
            if (WithRedis(sp))
            {
#pragma warning disable MCP9006 // Session migration and resumable streams belong to stateful Streamable HTTP, obsolete in the SDK and served here for 2025-era clients.
                options.SessionMigrationHandler = sp.GetRequiredService<RedisSessionMigrationHandler>();
                options.EventStreamStore = sp.GetRequiredService<RedisEventStreamStore>();
#pragma warning restore MCP9006
            }
        });
        return builder;
    }

    private static bool WithRedis(IServiceProvider services) => McpStateServices.IsShared(services);
}
