using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using McpAspire.Hosting.Http;
using McpAspire.Hosting.Security;
using McpAspire.Tools;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using McpAspire.Hosting.Scaling;
using McpAspire.Hosting.Telemetry;
using McpAspire.State.Replicas;
using McpAspire.State.Sessions;
using McpAspire.State.Streams;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

namespace Microsoft.AspNetCore.Builder;

public static class McpHttpHostingExtensions
{
    /// <summary>
    /// Serves the MCP server over HTTP in the given mode, with callers described by the HTTP request and tool calls
    /// limited by the shared rate limiter (<c>AddMcpAspireState</c>) before the SDK sees them.
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireHttpTransport(this IMcpServerBuilder builder, McpHttpMode mode)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<IMcpCallerAccessor, HttpCallerAccessor>();
        // Secure by default wherever the process starts: without AllowedHosts configured, answer loopback names only
        // (DNS rebinding), instead of ASP.NET Core's "*". A deployment sets AllowedHosts to its public host name.
        builder.Services.AddOptions<HostFilteringOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            if (string.IsNullOrWhiteSpace(configuration["AllowedHosts"]))
            {
                options.AllowedHosts = ["localhost", "127.0.0.1", "[::1]"];
            }
        });
        builder.Services.AddRateLimiter();
        builder.Services.AddSingleton<IConfigureOptions<RateLimiterOptions>, McpRateLimiterOptionsSetup>();
        builder.Services.AddOptions<McpHttpOptions>().BindConfiguration(McpHttpOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpHttpOptions>, McpHttpOptionsValidator>());
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimitsSetup>();
        builder.Services.AddSingleton<SseKeepAlive>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SseKeepAlive>());
        builder.Services.AddSingleton<McpHostMetrics>();
        if (mode is McpHttpMode.StatefulWithLegacySse)
        {
            builder.WithMcpAspireRequestIdGuard();
            builder.Services.AddSingleton<LocalSessions>();
            builder.Services.AddSingleton<LegacySessionAnnouncer>();
            // With Redis (AddMcpAspireState first), sessions and streams outlive the replica that began them.
            if (builder.Services.Any(d => d.ServiceType == typeof(ISessionStore)))
            {
                AddReplicaScaleOut(builder.Services);
            }
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

    private static void AddReplicaScaleOut(IServiceCollection services)
    {
        services.AddSingleton<SdkEndpoints>();
        services.AddSingleton<IReplicaMessageHandler, ReplicaMessageHandler>();
        services.AddSingleton<ReplicaBus>();
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaPresence>());
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaBus>());
        services.AddSingleton<ISessionMigrationHandler, RedisSessionMigrationHandler>();
#pragma warning disable MCP9006 // Resumable streams belong to stateful Streamable HTTP, obsolete in the SDK and served here for 2025-era clients.
        services.AddSingleton<ISseEventStreamStore>(sp => sp.GetRequiredService<RedisEventStreamStore>());
#pragma warning restore MCP9006
    }

    /// <summary>
    /// Maps Streamable HTTP at <c>/mcp</c> and, on a stateful host, the legacy transport at <c>/sse</c> with its message
    /// endpoint at <c>/message</c> or <c>/messages</c>; client mistakes get 4xx JSON-RPC errors.
    /// </summary>
    public static WebApplication MapMcpAspire(this WebApplication app)
    {
        // AddMcpAspireSecurity registered the edge; only test compositions run without it.
        var secured = app.Services.GetService<OriginPolicy>() is not null;
        if (secured)
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
        if (secured)
        {
            app.UseMcpAspireAuthorization();
        }

        app.UseMiddleware<McpRequestPeekMiddleware>();
        if (secured)
        {
            app.UseMiddleware<ToolScopeMiddleware>();
        }

        app.UseRateLimiter();
        var keepAlive = app.Services.GetRequiredService<SseKeepAlive>();
        // The gauges exist once something asks for them.
        app.Services.GetRequiredService<McpHostMetrics>();
        app.Use((context, next) => IsStream(context.Request) ? keepAlive.RunAsync(context, next) : next(context));
        if (app.Services.GetService<LegacySessionAnnouncer>() is { } announcer)
        {
            app.Use((context, next) => HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Equals(McpHttpPaths.SdkLegacySse, StringComparison.OrdinalIgnoreCase)
                ? announcer.RunAsync(context, next)
                : next(context));
        }

        if (app.Services.GetService<ReplicaBus>() is not null)
        {
            app.UseMiddleware<ReplicaRoutingMiddleware>();
        }

        app.MapMcp(McpHttpPaths.Mcp);
        return app;
    }

    /// <summary>
    /// Requests whose response is a long-lived event stream that can sit idle: the legacy <c>GET /sse</c> and the
    /// Streamable HTTP <c>GET</c> stream. A POST's stream carries its call's progress and ends with its answer.
    /// </summary>
    private static bool IsStream(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.StartsWithSegments(McpHttpPaths.Mcp, StringComparison.OrdinalIgnoreCase);

    private static Task RewriteLegacyAliases(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        if (HttpMethods.IsGet(context.Request.Method) && path.Equals(McpHttpPaths.LegacySse, StringComparison.OrdinalIgnoreCase))
        {
            context.Request.Path = McpHttpPaths.SdkLegacySse;
        }
        else if (HttpMethods.IsPost(context.Request.Method) && McpHttpPaths.LegacyMessageAliases.Contains(path.Value, StringComparer.OrdinalIgnoreCase))
        {
            context.Request.Path = McpHttpPaths.SdkLegacyMessage;
        }

        return next(context);
    }
}
