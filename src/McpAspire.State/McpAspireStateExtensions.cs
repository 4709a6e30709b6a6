using McpAspire.Abstractions;
using McpAspire.State;
using McpAspire.State.Resilience;
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
using OpenTelemetry.Metrics;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Where a host keeps McpAspire's state.</summary>
public static class McpAspireStateExtensions
{
    /// <summary>
    /// Decides where the host keeps McpAspire's state, once (<see cref="McpAspireStateBackend"/>): in the Redis named
    /// <paramref name="connectionName"/> (<c>ConnectionStrings:{connectionName}</c>) when that is set, through Aspire's
    /// Redis client integration with Polly around every call (<see cref="RedisResilience"/>), and with a tool set's own
    /// data (<see cref="SharedRedis"/>) and the Data Protection key ring there; else in this process's memory. The hosting
    /// package keeps sessions, tasks, streams, rate limits and request state on the backend decided here.
    /// </summary>
    public static IHostApplicationBuilder AddMcpAspireState(this IHostApplicationBuilder builder, string connectionName = "cache")
    {
        var services = builder.Services;
        // The one decision: Redis by connection string, else this process's memory.
        var shared = !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(connectionName));
        services.AddSingleton(sp => new McpAspireStateBackend(shared ? sp.GetRequiredService<IConnectionMultiplexer>() : null));
        services.AddOptions<McpAspireStateOptions>().BindConfiguration(McpAspireStateOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpAspireStateOptions>, McpAspireStateOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        // Exported wherever the host turns OpenTelemetry on (its service defaults), without naming it there.
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(McpAspireTelemetry.Name));
        services.TryAddSingleton(sp => StateMetrics.Observed(
            new RedisResilience(sp.GetRequiredService<IOptions<McpAspireStateOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisResilience>>()),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(sp => new RedisKeys(sp.GetRequiredService<IOptions<McpAspireStateOptions>>().Value.KeyPrefix));
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
        return builder;
    }
}
