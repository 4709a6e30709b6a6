using McpAspire.Abstractions;
using McpAspire.Hosting.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Calls limited per principal and tool, on every transport.</summary>
public static class McpRateLimitingExtensions
{
    /// <summary>
    /// Limits calls per principal and per tool with the shared limiter of <c>AddMcpAspireState</c> (in Redis where it
    /// has one, one budget across every replica and transport). On HTTP a call over the limit gets 429 before the SDK
    /// sees it; on stdio a JSON-RPC error.
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireRateLimiting(this IMcpServerBuilder builder)
    {
        builder.Services.Configure<McpAspireFeatures>(features => features.RateLimiting = true);
        builder.Services.AddRateLimiter();
        builder.Services.AddSingleton<IConfigureOptions<RateLimiterOptions>, McpRateLimiterOptionsSetup>();
        return builder.WithRequestFilters(filters => filters.AddCallToolFilter(RateLimitCallToolFilter.Filter));
    }
}
