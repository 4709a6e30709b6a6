using System.Net;
using McpAspire.Abstractions;
using McpAspire.Hosting.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore.Authentication;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Server;
using Serilog;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Compact;

namespace Microsoft.Extensions.Hosting;

/// <summary>The security edge of a remote McpAspire host: credentials, HTTPS, allow-lists, Origin checks, limits and the access log.</summary>
public static class McpSecurityExtensions
{
    /// <summary>The default scheme: an API key, or a JWT access token when one is configured and sent.</summary>
    private const string CallerScheme = "McpAspire";

    /// <summary>
    /// Secures a remote host (<c>McpAspire:Security</c>): API keys and OAuth 2.1 JWT access tokens, tool scopes, HTTPS and
    /// HSTS, client-network and origin allow-lists, CORS, a body size limit, a per-client request rate before
    /// authentication, and an access log. With no credentials configured every MCP request gets 401, except, in
    /// Development, a loopback client that sends none.
    /// </summary>
    public static IHostApplicationBuilder AddMcpAspireSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<McpAspireFeatures>(features => features.Security = true);
        services.AddOptions<McpSecurityOptions>().BindConfiguration(McpSecurityOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<McpSecurityOptions>, McpSecurityOptionsValidator>();
        services.AddSingleton<OriginPolicy>();
        services.AddSingleton<ClientRequestLimiter>();
        services.AddSingleton<ApiKeyTable>();

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<McpSecurityOptions>>((options, security) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // ASP.NET Core believes loopback proxies by default; here only the configured ones are believed.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in security.Value.KnownProxies.Select(McpSecurityOptionsValidator.ParseNetwork).OfType<System.Net.IPNetwork>())
            {
                options.KnownIPNetworks.Add(proxy);
            }
        });

        services.AddAuthentication(CallerScheme)
            .AddPolicyScheme(CallerScheme, "API key or OAuth access token", options => options.ForwardDefaultSelector = SchemeFor)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, "API key", null)
            .AddJwtBearer()
            // The SDK's scheme serves the protected-resource metadata (RFC 9728) and issues the challenge that points to it.
            .AddMcp(options => options.ForwardAuthenticate = CallerScheme);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<McpSecurityOptions>>((options, security) =>
        {
            var jwt = security.Value.Jwt;
            options.Authority = jwt.Authority;
            options.TokenValidationParameters.ValidAudiences = [.. jwt.AllAudiences];
            options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
            // Claims keep their JWT names (sub, scope), which principals and scopes are read from.
            options.MapInboundClaims = false;
            options.TokenValidationParameters.ClockSkew = jwt.ClockSkew;
        });
        services.AddOptions<McpAuthenticationOptions>(McpAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<McpSecurityOptions>, IServiceProvider>((options, security, provider) => options.ResourceMetadata = new ProtectedResourceMetadata
            {
                ResourceName = provider.GetRequiredService<IOptions<McpServerOptions>>().Value.ServerInfo?.Name,
                AuthorizationServers = security.Value.Jwt.Authority is { Length: > 0 } authority ? [authority] : [],
                ScopesSupported = [ToolScopes.All, .. provider.GetServices<McpServerTool>().Select(tool => tool.ProtocolTool.Name).Order(StringComparer.Ordinal)],
            });

        var anonymousLoopback = builder.Configuration.GetValue<bool?>($"{McpSecurityOptions.SectionName}:{nameof(McpSecurityOptions.AllowAnonymousLoopback)}")
            ?? builder.Environment.IsDevelopment();
        services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder()
            .RequireAssertion(context => context.User.Identity?.IsAuthenticated is true ||
                (anonymousLoopback && context.Resource is HttpContext http && IsLocalCallerWithoutCredentials(http)))
            .Build());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, McpAuthorizationResultHandler>();
        services.Configure<McpServerOptions>(options =>
        {
            options.Filters.Request.ListToolsFilters.Add(ToolScopes.ListFilter);
            options.Filters.Request.CallToolFilters.Add(ToolScopes.CallFilter);
        });

        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<OriginPolicy>((options, origins) => options.AddDefaultPolicy(policy => policy
            .SetIsOriginAllowed(origins.IsAllowed)
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete)
            .WithHeaders("Content-Type", "Accept", "Authorization", ApiKeyAuthenticationHandler.HeaderName, "Mcp-Session-Id", "Mcp-Protocol-Version", "Last-Event-ID")
            .WithExposedHeaders("Mcp-Session-Id", "Mcp-Protocol-Version", "WWW-Authenticate")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));

        if (builder.Configuration[$"{McpSecurityOptions.SectionName}:{nameof(McpSecurityOptions.AccessLogPath)}"] is { Length: > 0 } path)
        {
            AddAccessLogFile(builder.Logging, path);
        }

        AddAccessLogConsole(builder.Logging,
            builder.Configuration.GetValue($"{McpSecurityOptions.SectionName}:{nameof(McpSecurityOptions.AccessLogConsole)}", AccessLogConsole.Compact));

        return builder;
    }

    /// <summary>The security edge, in order: forwarded headers from known proxies, the access log, the pre-authentication checks.</summary>
    internal static void UseMcpAspireSecurityEdge(this WebApplication app)
    {
        var security = app.Services.GetRequiredService<IOptions<McpSecurityOptions>>().Value;
        if (security.ApiKeys.Count == 0 && string.IsNullOrWhiteSpace(security.Jwt.Authority))
        {
            McpSecurityLog.NoCredentials(app.Logger, (security.AllowAnonymousLoopback ?? app.Environment.IsDevelopment()) ? " (except from loopback clients that send none)" : "");
        }

        app.UseForwardedHeaders();
        app.UseMiddleware<AccessLogMiddleware>();
        app.UseMiddleware<SecurityEdgeMiddleware>();
    }

    /// <summary>After routing: CORS (preflights end here), authentication (the metadata endpoint ends here), authorization.</summary>
    internal static void UseMcpAspireAuthorization(this WebApplication app)
    {
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
    }

    /// <summary>A JWT when one is configured and the bearer value looks like one; otherwise the value is an API key.</summary>
    private static string SchemeFor(HttpContext context)
    {
        var headers = context.Request.Headers;
        return headers[ApiKeyAuthenticationHandler.HeaderName].Count == 0 &&
            ApiKeyAuthenticationHandler.BearerOf(headers) is { } token && token.Count(c => c == '.') == 2 &&
            context.RequestServices.GetRequiredService<IOptions<McpSecurityOptions>>().Value.Jwt.Authority is { Length: > 0 }
                ? JwtBearerDefaults.AuthenticationScheme
                : ApiKeyAuthenticationHandler.SchemeName;
    }

    private static bool IsLocalCallerWithoutCredentials(HttpContext context) =>
        ClientAddress.Of(context) is { } address && IPAddress.IsLoopback(address) &&
        ApiKeyAuthenticationHandler.KeyOf(context.Request.Headers) is null;

    /// <summary>
    /// The access log on the console as <paramref name="console"/> says; unless formatted, the console logger leaves its
    /// lines out (a rule of its own here, after configuration's, so it holds whatever the log levels say).
    /// </summary>
    private static void AddAccessLogConsole(ILoggingBuilder logging, AccessLogConsole console)
    {
        if (console == AccessLogConsole.Formatted)
        {
            return;
        }

        logging.AddFilter<ConsoleLoggerProvider>(AccessLogMiddleware.Category, LogLevel.None);
        if (console == AccessLogConsole.Compact)
        {
            // It writes the access log's category only, at the levels configured for it (Logging:LogLevel).
            logging.AddProvider(new AccessLogConsoleProvider(Console.OpenStandardOutput()));
        }
    }

    private static void AddAccessLogFile(ILoggingBuilder logging, string path)
    {
        var file = new LoggerConfiguration()
            // Formatted and written on a background thread, buffered and flushed every second: on the request's thread,
            // every request waited on the file's lock and its JSON. A full queue (10,000 lines behind) makes requests
            // wait for it instead of dropping lines: an access log that loses entries under load is no audit.
            .WriteTo.Async(
                sink => sink.File(new CompactJsonFormatter(), path, rollingInterval: RollingInterval.Day, buffered: true, flushToDiskInterval: TimeSpan.FromSeconds(1)),
                bufferSize: 10_000,
                blockWhenFull: true)
            .CreateLogger();
        logging.AddProvider(new SerilogLoggerProvider(file, dispose: true));
        logging.AddFilter<SerilogLoggerProvider>((category, _) => category == AccessLogMiddleware.Category);
    }
}
