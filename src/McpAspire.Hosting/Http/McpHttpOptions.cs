using System.ComponentModel.DataAnnotations;
using McpAspire.Abstractions;

namespace McpAspire.Hosting.Http;

/// <summary>
/// How the HTTP hosts serve their streams, and the connection limits they set on Kestrel (<c>McpAspire:Http</c>;
/// Kestrel itself reads no limits from configuration).
/// </summary>
public sealed class McpHttpOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string SectionName = "McpAspire:Http";

    /// <summary>
    /// An event stream quiet for this long gets an SSE comment line, so proxies that cut idle connections (commonly
    /// after 30-120 s) leave it open.
    /// </summary>
    [TimeSpanRange("00:00:00.100", "00:10:00", ErrorMessage = "McpAspire:Http:SseKeepAliveInterval must be between 100 ms and 10 minutes.")]
    public TimeSpan SseKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A client that has not sent all its request headers this long after it began is answered 408 and disconnected
    /// (slow-header attacks). MCP clients send their headers at once; Kestrel's own default is 30 seconds.
    /// </summary>
    [TimeSpanRange("00:00:01", "00:05:00", ErrorMessage = "McpAspire:Http:RequestHeadersTimeout must be between 1 second and 5 minutes.")]
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A request body that arrives slower than this, after a 5-second grace period, is answered 408 and the connection
    /// closed (slow-body attacks); Kestrel's default rate.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "McpAspire:Http:MinRequestBodyBytesPerSecond must be between 1 and 1000000.")]
    public int MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Open connections a replica accepts before it refuses new ones; unset, no limit (Kestrel's default).</summary>
    [Range(1, long.MaxValue, ErrorMessage = "McpAspire:Http:MaxConcurrentConnections must be at least 1, or unset.")]
    public long? MaxConcurrentConnections { get; set; }
}
