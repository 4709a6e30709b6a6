using System.ComponentModel.DataAnnotations;
using McpAspire.Abstractions;
using McpAspire.State;

namespace McpAspire.Hosting.RateLimiting;

/// <summary>
/// Fixed-window limits on tool calls per principal and per tool (<c>McpAspire:RateLimiting</c>), shared by every
/// transport and replica through Redis.
/// </summary>
public sealed class RateLimitingOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string SectionName = "McpAspire:RateLimiting";

    /// <summary>Off by default in Development-style runs; on wherever configuration turns it on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Calls of one tool one principal may make per window.</summary>
    [Range(1, 1_000_000, ErrorMessage = "McpAspire:RateLimiting:PermitLimit must be between 1 and 1000000.")]
    public int PermitLimit { get; set; } = 600;

    /// <summary>How long a window lasts; each window starts with its whole limit.</summary>
    [TimeSpanRange("00:00:01", "1.00:00:00", ErrorMessage = "McpAspire:RateLimiting:Window must be between 1 second and 1 day.")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Per-tool overrides of <see cref="PermitLimit"/>, by tool name (e.g. <c>McpAspire:RateLimiting:Tools:long_running=10</c>).</summary>
    public IDictionary<string, int> Tools { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>The limit per window for <paramref name="tool"/>: its override, or <see cref="PermitLimit"/>.</summary>
    public int LimitFor(string tool) => Tools.TryGetValue(tool, out var limit) ? limit : PermitLimit;
}
