using McpAspire.Abstractions;
using McpAspire.Hosting.Changes;
using McpAspire.Hosting.RateLimiting;
using McpAspire.Hosting.RequestState;
using McpAspire.Hosting.Scaling;
using McpAspire.Hosting.Sessions;
using McpAspire.Hosting.Streams;
using McpAspire.Hosting.Tasks;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpAspire.Hosting;

/// <summary>
/// The hosts' stores, one implementation each, on the backend <c>AddMcpAspireState</c> decided
/// (<see cref="McpAspireStateBackend"/>): in its Redis when the state is shared, else in this process. The features
/// (<c>WithMcpAspireTasks</c>, <c>WithMcpAspireScaleOut</c>, …) only use them. Nothing else asks the container
/// whether Redis is there: <see cref="Redis"/> reads the decision.
/// </summary>
internal static class McpStateServices
{
    /// <summary>What a host without <c>AddMcpAspireState</c> is told, as it is composed.</summary>
    public const string MissingState = "AddMcpAspireServer needs builder.AddMcpAspireState(\"cache\") before it: that call decides where sessions, tasks, rate limits and request state live (Redis by connection string, else this process's memory).";

    /// <summary>Registers the stores once; throws <see cref="MissingState"/> where the backend was not decided before.</summary>
    public static void Add(IServiceCollection services)
    {
        if (services.Any(service => service.ServiceType == typeof(StateKeys)))
        {
            return;
        }

        if (!services.Any(service => service.ServiceType == typeof(McpAspireStateBackend)))
        {
            throw new InvalidOperationException(MissingState);
        }

        // The state's options, the clock, metrics and RedisResilience are AddMcpAspireState's.
        services.AddSingleton<StateKeys>();

        // Resource changes: published to every replica through Redis, else to this process's listeners.
        services.AddSingleton(sp => new ChangeFeed(Redis(sp), sp.GetRequiredService<StateKeys>(), sp.GetRequiredService<RedisResilience>(), sp.GetRequiredService<ILogger<ChangeFeed>>()));
        services.AddSingleton<IChangeFeed>(sp => sp.GetRequiredService<ChangeFeed>());
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeed>());

        // Rate limits: one budget across replicas and transports in Redis, else per process.
        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>());
        services.AddSingleton<RateLimitMetrics>();
        services.AddSingleton(sp => new McpRateLimiter(Redis(sp), sp.GetRequiredService<RedisResilience>(), sp.GetRequiredService<StateKeys>(),
            sp.GetRequiredService<RateLimitMetrics>(), sp.GetRequiredService<IOptions<RateLimitingOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRateLimitStatusProvider>(sp => sp.GetRequiredService<McpRateLimiter>());

        // Tasks of the tasks extension, followed on any replica.
        services.AddSingleton<ITaskStore>(sp => Redis(sp) is { } redis
            ? new RedisTaskStore(redis, sp.GetRequiredService<StateKeys>(), sp.GetRequiredService<RedisResilience>(),
                sp.GetRequiredService<IOptions<McpAspireOptions>>(), sp.GetRequiredService<TimeProvider>())
            : new InMemoryTaskStore(sp.GetRequiredService<IOptions<McpAspireOptions>>(), sp.GetRequiredService<TimeProvider>()));

        // Sealed request state: the key ring and the accepted-once markers in Redis, else this process's own.
        services.AddSingleton(sp =>
        {
            var redis = Redis(sp);
            return new RequestStateSealer(
                redis is null ? new EphemeralDataProtectionProvider() : sp.GetRequiredService<IDataProtectionProvider>(),
                redis, sp.GetRequiredService<RedisResilience>(), sp.GetRequiredService<StateKeys>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<McpAspireStateOptions>>());
        });

        // Sessions, replicas and their event streams exist to be shared: Redis only. Without it the session recorder
        // records nothing (SessionRecorder) and scale-out stops the host at start (McpAspireFeaturesValidator).
        services.AddSingleton<ISessionStore>(sp => new RedisSessionStore(RequiredRedis(sp), sp.GetRequiredService<RedisResilience>(),
            sp.GetRequiredService<StateKeys>(), sp.GetRequiredService<IOptions<McpAspireStateOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ReplicaPresence>(sp, RequiredRedis(sp)));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RedisEventStreamStore>(sp, RequiredRedis(sp)));
    }

    /// <summary>The shared Redis, or null where the state is this process's own.</summary>
    public static IConnectionMultiplexer? Redis(IServiceProvider services) => services.GetService<McpAspireStateBackend>()?.Redis;

    /// <summary>Whether the state is shared through Redis.</summary>
    public static bool IsShared(IServiceProvider services) => Redis(services) is not null;

    /// <summary>What a host with <c>WithMcpAspireScaleOut</c> and no Redis is told at start (<see cref="McpAspireFeaturesValidator"/>).</summary>
    public const string ScaleOutWithoutRedis = "WithMcpAspireScaleOut needs Redis: set ConnectionStrings:cache (the connection string builder.AddMcpAspireState(\"cache\") reads), or remove WithMcpAspireScaleOut() to run one replica with its sessions in memory.";

    private static IConnectionMultiplexer RequiredRedis(IServiceProvider services) => Redis(services)
        ?? throw new InvalidOperationException(ScaleOutWithoutRedis);
}
