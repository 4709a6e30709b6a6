namespace McpAspire.Abstractions;

/// <summary>
/// What a host's Program.cs turned on, each by its own call (<c>AddMcpAspireSecurity</c>, the transport,
/// <c>WithMcpAspireScaleOut</c>, <c>WithMcpAspireRateLimiting</c>). The
/// parts that depend on another read it once the host is built, so the order of the calls does not matter; a feature
/// whose prerequisite is missing stops the host at start-up with a message naming the call to add.
/// </summary>
public sealed class McpAspireFeatures
{
    /// <summary>Whether <c>AddMcpAspireSecurity</c> was called.</summary>
    public bool Security { get; set; }

    /// <summary>The transport the host serves, or null before one is added.</summary>
    public McpAspireTransport? Transport { get; set; }

    /// <summary>Whether <c>WithMcpAspireScaleOut</c> was called.</summary>
    public bool ScaleOut { get; set; }

    /// <summary>Whether <c>WithMcpAspireRateLimiting</c> was called.</summary>
    public bool RateLimiting { get; set; }

}
