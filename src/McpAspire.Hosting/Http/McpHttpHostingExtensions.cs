using McpAspire.Abstractions;
using McpAspire.Hosting;
using McpAspire.Hosting.Http;
using McpAspire.Hosting.Scaling;
using McpAspire.Hosting.Security;
using McpAspire.Hosting.Sessions;
using McpAspire.Hosting.Telemetry;
using McpAspire.State;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>The HTTP transports of an McpAspire server: Streamable HTTP, stateless or stateful, and legacy SSE.</summary>
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
}
