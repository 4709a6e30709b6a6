using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Http;

/// <summary>Applies the connection limits of <see cref="McpHttpOptions"/> to Kestrel.</summary>
internal sealed class KestrelLimitsSetup(IOptions<McpHttpOptions> options) : IConfigureOptions<KestrelServerOptions>
{
    /// <summary>Kestrel's grace period before the body rate counts.</summary>
    private static readonly TimeSpan BodyRateGracePeriod = TimeSpan.FromSeconds(5);

    public void Configure(KestrelServerOptions kestrel)
    {
        var http = options.Value;
        kestrel.Limits.RequestHeadersTimeout = http.RequestHeadersTimeout;
        kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(http.MinRequestBodyBytesPerSecond, BodyRateGracePeriod);
        kestrel.Limits.MaxConcurrentConnections = http.MaxConcurrentConnections;
    }
}
