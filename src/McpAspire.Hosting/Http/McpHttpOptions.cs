using System.ComponentModel.DataAnnotations;

namespace McpAspire.Hosting.Http;

/// <summary>How the HTTP hosts serve their streams (<c>McpAspire:Http</c>).</summary>
public sealed class McpHttpOptions
{
    public const string SectionName = "McpAspire:Http";

    /// <summary>
    /// An event stream quiet for this long gets an SSE comment line, so proxies that cut idle connections (commonly
    /// after 30-120 s) leave it open.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "McpAspire:Http:SseKeepAliveInterval must be between 100 ms and 10 minutes.")]
    public TimeSpan SseKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);
}
