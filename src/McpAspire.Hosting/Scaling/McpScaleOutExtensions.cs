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
        // Factories, not types: without Redis the container has no IConnectionMultiplexer, and Development's build-time
        // validation of a type registration would fail before McpAspireFeaturesCheck names what is missing.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<SdkEndpoints>(sp));
        services.AddSingleton<IReplicaMessageHandler>(sp => ActivatorUtilities.CreateInstance<ReplicaMessageHandler>(sp));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ReplicaBus>(sp));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RedisSessionMigrationHandler>(sp));
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaPresence>());
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaBus>());
        services.AddHealthChecks().AddCheck<ReplicaBusHealthCheck>("replica-bus", tags: ["ready"]);
        // Read where the endpoints are mapped, before the features are checked: set only where the state is shared.
        services.AddOptions<HttpServerTransportOptions>().Configure<IServiceProvider>((options, sp) =>
        {
            if (McpStateServices.IsShared(sp))
            {
#pragma warning disable MCP9006 // Session migration and resumable streams belong to stateful Streamable HTTP, obsolete in the SDK and served here for 2025-era clients.
                options.SessionMigrationHandler = sp.GetRequiredService<RedisSessionMigrationHandler>();
                options.EventStreamStore = sp.GetRequiredService<RedisEventStreamStore>();
#pragma warning restore MCP9006
            }
        });
        return builder;
    }
}
