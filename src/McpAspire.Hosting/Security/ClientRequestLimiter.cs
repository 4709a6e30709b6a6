using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Security;

/// <summary>
/// Requests per client address, counted in this process before authentication: a token bucket of
/// <see cref="McpSecurityOptions.RequestsPerClientPerSecond"/> with a burst of twice that. It keeps a flood (or a key
/// guesser) from costing authentication work; the shared limiter then counts tool calls per principal across replicas.
/// </summary>
internal sealed class ClientRequestLimiter(IOptions<McpSecurityOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(client =>
        RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.RequestsPerClientPerSecond * 2,
            TokensPerPeriod = options.Value.RequestsPerClientPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public bool TryAcquire(IPAddress client)
    {
        using var lease = _limiter.AttemptAcquire(client);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
