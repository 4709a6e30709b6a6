using McpAspire.Abstractions;
using McpAspire.State;
using McpAspire.State.Changes;
using McpAspire.State.RateLimiting;
using McpAspire.State.Replicas;
using McpAspire.State.RequestState;
using McpAspire.State.Resilience;
using McpAspire.State.Sessions;
using McpAspire.State.Streams;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Where a host keeps McpAspire's state, and the MCP server features that use it.</summary>
public static class McpAspireStateExtensions
{
    /// <summary>
    /// Keeps sessions, rate limits, request state and a tool set's own data (<see cref="SharedRedis"/>) in the Redis named <paramref name="connectionName"/>
    /// (<c>ConnectionStrings:{connectionName}</c>), through Aspire's Redis client integration, with Polly around every
    /// call. Without that connection string the host keeps state in its own memory and limits per process.
    /// </summary>
    public static IHostApplicationBuilder AddMcpAspireState(this IHostApplicationBuilder builder, string connectionName = "cache")
    {
        var services = builder.Services;
        // The one decision: Redis by connection string, else this process's memory.
        var shared = !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(connectionName));
        services.Configure<McpAspireFeatures>(features => features.State = true);
        services.AddSingleton(sp => new McpAspireStateBackend(shared ? sp.GetRequiredService<IConnectionMultiplexer>() : null));
        AddStateCore(services);
        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<StateMetrics>();
        services.TryAddSingleton(sp => new ChangeFeed(sp.GetRequiredService<McpAspireStateBackend>().Redis, sp.GetRequiredService<RedisKeys>(),
            sp.GetRequiredService<RedisResilience>(), sp.GetRequiredService<ILogger<ChangeFeed>>()));
        services.AddSingleton<IChangeFeed>(sp => sp.GetRequiredService<ChangeFeed>());
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeed>());

        // Without Redis the limiter is process-local.
        services.TryAddSingleton(sp => new McpRateLimiter(sp.GetRequiredService<McpAspireStateBackend>().Redis, sp.GetRequiredService<RedisResilience>(),
            sp.GetRequiredService<RedisKeys>(), sp.GetRequiredService<StateMetrics>(), sp.GetRequiredService<IOptions<RateLimitingOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRateLimitStatusProvider>(sp => sp.GetRequiredService<McpRateLimiter>());
        if (!shared)
        {
            return builder;
        }

        var ca = builder.Configuration[$"{McpAspireStateOptions.SectionName}:{nameof(McpAspireStateOptions.TlsCaCertificatePath)}"] is { Length: > 0 } path ? path : null;
        if (ca is not null)
        {
            StateCertificates.EnsureReadable(ca);
        }

        // StackExchange.Redis logs every reconnection attempt, failures with their stack traces; the breaker says why
        // Redis cannot be reached once per cause (RedisResilience). A default only: configuring the category wins.
        if (builder.Configuration["Logging:LogLevel:StackExchange.Redis"] is null)
        {
            builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Critical);
        }

        builder.AddRedisClient(
            connectionName,
            // Ours reports Degraded rather than Unhealthy: the host keeps serving while Redis is down.
            settings => settings.DisableHealthChecks = true,
            redis =>
            {
                var timeout = (int)(builder.Configuration.GetValue<TimeSpan?>($"{McpAspireStateOptions.SectionName}:OperationTimeout")
                    ?? new McpAspireStateOptions().OperationTimeout).TotalMilliseconds;
                redis.AbortOnConnectFail = false;
                redis.ConnectTimeout = Math.Max(timeout, 1_000);
                redis.AsyncTimeout = timeout;
                redis.SyncTimeout = timeout;
                // A command issued while disconnected fails at once instead of waiting in a backlog to be sent later:
                // a write the caller was told failed must never be applied behind its back.
                redis.BacklogPolicy = BacklogPolicy.FailFast;
                // Reconnect within a second or two of Redis coming back, however long it was away: the default backs
                // off exponentially, so after a long outage a replica would stay disconnected for ten seconds more.
                redis.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 2_000);
                // A private CA for a Redis over TLS (ssl=true); otherwise the system's trust store decides.
                if (ca is not null)
                {
                    redis.TrustIssuer(ca);
                }
            });
        builder.Services.AddHealthChecks().AddCheck<RedisStateHealthCheck>("redis-state", tags: ["ready"]);

        // The key ring that seals request state, in Redis: every replica opens what any other sealed, across restarts.
        var dataProtection = services.AddDataProtection();
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, sp) =>
        {
            var redis = sp.GetRequiredService<IConnectionMultiplexer>();
            options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), sp.GetRequiredService<RedisKeys>().DataProtectionKeys);
        });
        var section = builder.Configuration.GetSection(McpAspireStateOptions.SectionName);
        if (section[nameof(McpAspireStateOptions.KeyEncryptionCertificatePath)] is { Length: > 0 } keyCertificate)
        {
            // Encrypted at rest; the same certificate decrypts what any replica wrote.
            dataProtection.ProtectKeysWithCertificate(StateCertificates.LoadKeyEncryption(keyCertificate, section[nameof(McpAspireStateOptions.KeyEncryptionPrivateKeyPath)]));
        }
        else if (section[nameof(McpAspireStateOptions.KeyEncryptionCertificatePem)] is { Length: > 0 } keyCertificatePem)
        {
            dataProtection.ProtectKeysWithCertificate(StateCertificates.LoadKeyEncryptionPem(keyCertificatePem));
        }
        else if (builder.Environment.IsDevelopment())
        {
            // Kept unencrypted on purpose (nothing to configure on a developer's machine): said once at start, not warned
            // about on every key written.
            services.Configure<KeyManagementOptions>(options => options.XmlEncryptor = new NullXmlEncryptor());
            services.AddHostedService<UnencryptedKeyRingNotice>();
        }

        services.AddSingleton(sp => new SharedRedis(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<RedisKeys>(), sp.GetRequiredService<RedisResilience>()));
        services.AddSingleton<ISessionStore, RedisSessionStore>();
        services.AddSingleton<ReplicaPresence>();
        services.AddSingleton<RedisEventStreamStore>();
        return builder;
    }

    /// <summary>
    /// Seals the <c>requestState</c> of multi round-trip requests (tools and prompts): encrypted, bound to the caller, the
    /// request and its arguments, expiring (<c>McpAspire:State:RequestStateLifetime</c>) and accepted once. With
    /// <c>AddMcpAspireState</c> and Redis, keys and single-use markers are shared by every replica; without Redis they
    /// are this process's own, which is all a single process needs.
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireSealedRequestState(this IMcpServerBuilder builder)
    {
        AddStateCore(builder.Services);
        builder.Services.TryAddSingleton(sp =>
        {
            var redis = sp.GetService<McpAspireStateBackend>()?.Redis;
            return new RequestStateSealer(
                redis is null ? new EphemeralDataProtectionProvider() : sp.GetRequiredService<IDataProtectionProvider>(),
                redis, sp.GetRequiredService<RedisResilience>(), sp.GetRequiredService<RedisKeys>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<McpAspireStateOptions>>());
        });
        return builder.WithRequestFilters(filters => filters
            .AddCallToolFilter(SealedRequestStateFilter.CallTool)
            .AddGetPromptFilter(SealedRequestStateFilter.GetPrompt));
    }

    /// <summary>What every part of the state needs: its options, the key scheme and the resilience pipeline.</summary>
    private static void AddStateCore(IServiceCollection services)
    {
        services.AddOptions<McpAspireStateOptions>().BindConfiguration(McpAspireStateOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpAspireStateOptions>, McpAspireStateOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisResilience>();
        services.TryAddSingleton(sp => new RedisKeys(sp.GetRequiredService<IOptions<McpAspireStateOptions>>().Value.KeyPrefix));
    }

    /// <summary>Records sessions in the shared store on every request (any transport); a no-op without Redis.</summary>
    public static IMcpServerBuilder WithMcpAspireSessionRecording(this IMcpServerBuilder builder)
    {
        builder.Services.Configure<McpAspireFeatures>(features => features.SessionRecording = true);
        return builder.WithMessageFilters(filters => filters.AddIncomingFilter(SessionRecorder.Filter));
    }
}
