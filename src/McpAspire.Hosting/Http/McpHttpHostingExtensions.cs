using McpAspire.Abstractions;
using McpAspire.Hosting;
using McpAspire.Hosting.Http;
using McpAspire.Hosting.RateLimiting;
using McpAspire.Hosting.Scaling;
using McpAspire.Hosting.Security;
using McpAspire.Hosting.Sessions;
using McpAspire.Hosting.Streams;
using McpAspire.Hosting.Telemetry;
using McpAspire.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;

namespace Microsoft.Extensions.Hosting;

/// <summary>The HTTP transports of an McpAspire server (Streamable HTTP, legacy SSE), their scale-out across replicas, and their mapping.</summary>
public static class McpHttpHostingExtensions
{
    /// <summary>
    /// Serves the MCP server over HTTP in the given mode, with callers described by the HTTP request. Needs
    /// <c>AddMcpAspireState</c> (checked at start-up).
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireHttpTransport(this IMcpServerBuilder builder, McpHttpMode mode)
    {
        builder.Services.Configure<McpAspireFeatures>(features =>
            features.Transport = mode is McpHttpMode.Stateless ? McpAspireTransport.StatelessHttp : McpAspireTransport.StatefulHttp);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<IMcpCallerAccessor, HttpCallerAccessor>();
        builder.WithMessageFilters(filters => filters.AddOutgoingFilter(AccessLogRefusals.Filter));
        // Secure by default wherever the process starts: without AllowedHosts configured, answer loopback names only
        // (DNS rebinding), instead of ASP.NET Core's "*". A deployment sets AllowedHosts to its public host name.
        builder.Services.AddOptions<HostFilteringOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            if (string.IsNullOrWhiteSpace(configuration["AllowedHosts"]))
            {
                options.AllowedHosts = ["localhost", "127.0.0.1", "[::1]"];
            }
        });
        builder.Services.AddOptions<McpHttpOptions>().BindConfiguration(McpHttpOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpHttpOptions>, McpHttpOptionsValidator>());
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimitsSetup>();
        builder.Services.AddSingleton<SseKeepAlive>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SseKeepAlive>());
        builder.Services.AddSingleton<McpHostMetrics>();
        builder.Services.AddSingleton<WarmUp.Credential>();
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<WarmUp>(sp));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WarmUp>());
        if (mode is McpHttpMode.StatefulWithLegacySse)
        {
            builder.WithRequestIdGuard();
            builder.Services.AddSingleton<LocalSessions>();
            // Sessions are recorded for other replicas only where the state is shared.
            builder.Services.AddSingleton(sp => new LegacySessionAnnouncer(sp.GetRequiredService<LocalSessions>(), sp.GetRequiredService<IOptions<McpAspireOptions>>(),
                sp.GetRequiredService<ILogger<LegacySessionAnnouncer>>(), sp.GetRequiredService<IOptions<McpAspireStateOptions>>(),
                McpStateServices.IsShared(sp) ? sp.GetRequiredService<ISessionStore>() : null));
        }

        return builder.WithHttpTransport(options =>
        {
            if (mode is McpHttpMode.Stateless)
            {
                options.SessionMode = HttpServerSessionMode.Stateless;
                return;
            }

            options.SessionMode = HttpServerSessionMode.Stateful;
#pragma warning disable MCP9004 // The legacy HTTP+SSE transport is deprecated, and serving its 2024-11-05 clients is this host's purpose.
            options.EnableLegacySse = true;
#pragma warning restore MCP9004
#pragma warning disable MCPEXP002 // RunSessionHandler is experimental; it is the SDK's only hook on a session's lifetime.
            options.RunSessionHandler = StreamableSessionTracking.RunSessionAsync;
#pragma warning restore MCPEXP002
        });
    }

    /// <summary>
    /// Runs the stateful HTTP transport as one of many replicas with no session affinity, through the Redis of
    /// <c>AddMcpAspireState</c>: sessions are adopted from Redis on any replica, streams resume from the event log there,
    /// and a legacy SSE post is routed to the replica holding its stream. Without a Redis connection string the host is a
    /// single replica and this does nothing. Needs <c>AddMcpAspireState</c> and the stateful transport (checked at start-up).
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireScaleOut(this IMcpServerBuilder builder)
    {
        var services = builder.Services;
        services.Configure<McpAspireFeatures>(features => features.ScaleOut = true);
        // Built on first use, which is only where Redis is configured (see WithRedis): without it, what they need is
        // not registered, and registrations by type would fail the container's validation at start.
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

    /// <summary>
    /// Limits calls per principal and per tool with the shared limiter of <c>AddMcpAspireState</c> (in Redis where it
    /// has one, one budget across every replica and transport). On HTTP a call over the limit gets 429 before the SDK
    /// sees it; on stdio a JSON-RPC error. Needs <c>AddMcpAspireState</c> (checked at start-up).
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireRateLimiting(this IMcpServerBuilder builder)
    {
        builder.Services.Configure<McpAspireFeatures>(features => features.RateLimiting = true);
        builder.Services.AddRateLimiter();
        builder.Services.AddSingleton<IConfigureOptions<RateLimiterOptions>, McpRateLimiterOptionsSetup>();
        return builder.WithRequestFilters(filters => filters.AddCallToolFilter(RateLimitCallToolFilter.Filter));
    }

    /// <summary>
    /// Maps Streamable HTTP at <c>/mcp</c> and, on a stateful host, the legacy transport at <c>/sse</c> with its message
    /// endpoint at <c>/message</c> or <c>/messages</c>; client mistakes get 4xx JSON-RPC errors. The security edge, the rate
    /// limit and the replica routing are on when their calls were made.
    /// </summary>
    public static WebApplication MapMcpAspire(this WebApplication app)
    {
        var features = app.Services.GetRequiredService<IOptions<McpAspireFeatures>>().Value;
        app.Use(app.Services.GetRequiredService<WarmUp>().GateAsync);
        if (features.Security)
        {
            app.UseMcpAspireSecurityEdge();
        }
        else if (!app.Environment.IsDevelopment())
        {
            McpSecurityLog.Unsecured(app.Logger);
        }

        app.UseMiddleware<McpRequestErrorMiddleware>();
        app.Use(McpHeaderCheck.InvokeAsync);
        app.Use(RewriteLegacyAliases);
        // Routing must run after the rewrite so the rewritten path picks the endpoint.
        app.UseRouting();
        if (features.Security)
        {
            app.UseMcpAspireAuthorization();
        }

        app.UseMiddleware<McpRequestPeekMiddleware>();
        if (features.Security)
        {
            app.UseMiddleware<ToolScopeMiddleware>();
        }

        if (features.RateLimiting)
        {
            app.UseRateLimiter();
        }

        var keepAlive = app.Services.GetRequiredService<SseKeepAlive>();
        // The gauges exist once something asks for them.
        app.Services.GetRequiredService<McpHostMetrics>();
        app.Use((context, next) => IsStream(context) ? keepAlive.RunAsync(context, next) : next(context));
        if (features.Transport is McpAspireTransport.StatefulHttp)
        {
            var announcer = app.Services.GetRequiredService<LegacySessionAnnouncer>();
            app.Use((context, next) => HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Equals(McpHttpPaths.SdkLegacySse, StringComparison.OrdinalIgnoreCase)
                ? announcer.RunAsync(context, next)
                : next(context));
        }

        if (features.ScaleOut && WithRedis(app.Services))
        {
            app.UseMiddleware<ReplicaRoutingMiddleware>();
        }

        if (features.Transport is McpAspireTransport.StatefulHttp)
        {
            app.Use((context, next) => HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals(McpHttpPaths.SdkLegacyMessage, StringComparison.OrdinalIgnoreCase)
                ? LegacyUnknownSession.RunAsync(context, next)
                : next(context));
        }

        // Innermost: a request whose client has left ends in a cancellation, which would otherwise unwind as an exception
        // through every middleware above; ten thousand streams closed at once made that the bulk of the work.
        app.Use(EndLeftRequestsAsync);
        app.MapMcp(McpHttpPaths.Mcp);
        return app;
    }

    private static async Task EndLeftRequestsAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // Nobody is there to answer.
        }
    }

    private static bool WithRedis(IServiceProvider services) => McpStateServices.IsShared(services);

    /// <summary>
    /// Requests whose response is a long-lived event stream that can sit idle: the legacy <c>GET /sse</c>, the Streamable
    /// HTTP <c>GET</c> stream, and a <c>subscriptions/listen</c> POST. Any other POST's stream carries its call's progress
    /// and ends with its answer.
    /// </summary>
    private static bool IsStream(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) && context.Request.Path.StartsWithSegments(McpHttpPaths.Mcp, StringComparison.OrdinalIgnoreCase)) ||
        context.Features.Get<McpRequestInfo>() is { Method: RequestMethods.SubscriptionsListen };

    private static Task RewriteLegacyAliases(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        if (HttpMethods.IsGet(context.Request.Method) && path.Equals(McpHttpPaths.LegacySse, StringComparison.OrdinalIgnoreCase))
        {
            context.Request.Path = McpHttpPaths.SdkLegacySse;
            McpHttpPaths.MarkLegacy(context);
        }
        else if (HttpMethods.IsPost(context.Request.Method) && McpHttpPaths.LegacyMessageAliases.Contains(path.Value, StringComparer.OrdinalIgnoreCase))
        {
            context.Request.Path = McpHttpPaths.SdkLegacyMessage;
            McpHttpPaths.MarkLegacy(context);
        }

        return next(context);
    }
}
