using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using McpAspire.Hosting.Http;
using McpAspire.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiting middleware over the shared limiter: every <c>tools/call</c> spends a permit of its
/// principal and tool before the SDK sees it; a refusal is 429 with <c>Retry-After</c> and a JSON-RPC error body.
/// </summary>
internal sealed class McpRateLimiterOptionsSetup(McpRateLimiter limiter, RateLimitMetrics metrics, IOptions<RateLimitingOptions> limits) : IConfigureOptions<RateLimiterOptions>
{
    public void Configure(RateLimiterOptions options)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            limiter.Enabled && context.Features.Get<McpRequestInfo>() is { Method: RequestMethods.ToolsCall, ToolName: { } tool }
                ? limiter.Partition(HttpCallerAccessor.PrincipalOf(context), tool)
                : RateLimitPartition.GetNoLimiter(string.Empty));
        options.OnRejected = async (rejected, cancellationToken) =>
        {
            var context = rejected.HttpContext;
            var info = context.Features.Get<McpRequestInfo>();
            var tool = info?.ToolName ?? "";
            var decision = McpRateLimiter.Decide(rejected.Lease, limits.Value.LimitFor(tool));
            metrics.RateLimitRejected(HttpCallerAccessor.TransportOf(context), tool);
            context.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await JsonRpcErrors.WriteAsync(
                context,
                StatusCodes.Status429TooManyRequests,
                McpAspireErrorCodes.RateLimited,
                decision.Refusal(tool),
                info?.Id,
                new JsonObject { ["retryAfterSeconds"] = decision.RetryAfterSeconds, ["limit"] = decision.Limit, ["tool"] = tool });
        };
    }
}
