using McpAspire.Abstractions;
using McpAspire.Hosting.Http;
using McpAspire.Hosting.Scaling;
using McpAspire.Hosting.Security;
using McpAspire.Hosting.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace Microsoft.Extensions.Hosting;

/// <summary>The MCP endpoints of an HTTP host, behind the edge its features turned on.</summary>
public static class McpEndpointExtensions
{
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

        if (features.ScaleOut)
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
