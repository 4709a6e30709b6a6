using McpAspire.Abstractions;
using McpAspire.Hosting.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>McpAspire's spans and metrics of MCP calls, beside the SDK's.</summary>
public static class McpTelemetryExtensions
{
    /// <summary>The MCP SDK's ActivitySource and Meter; experimental in name, stable in use.</summary>
    private const string SdkTelemetry = "Experimental.ModelContextProtocol";

    /// <summary>
    /// Exports the SDK's and McpAspire's spans and metrics of MCP calls wherever the host turns OpenTelemetry on (its
    /// service defaults), and marks the SDK's server spans with the transport, the replica and the client's session
    /// header, on any host (HTTP hosts read them from the request; a host without HTTP is stdio).
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireTelemetry(this IMcpServerBuilder builder)
    {
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(SdkTelemetry, McpAspireTelemetry.Name));
        builder.Services.ConfigureOpenTelemetryTracerProvider((services, tracing) => tracing
            .AddSource(SdkTelemetry, McpAspireTelemetry.Name)
            .AddProcessor(new McpServerSpanEnricher(services.GetService<IHttpContextAccessor>(), services.GetRequiredService<IOptions<McpAspireOptions>>().Value.InstanceId)));
        return builder;
    }
}
