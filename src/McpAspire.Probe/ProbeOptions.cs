using System.ComponentModel.DataAnnotations;

namespace McpAspire.Probe;

/// <summary>What the probe drives (<c>McpAspire:Probe</c>).</summary>
public sealed class ProbeOptions
{
    public const string SectionName = "McpAspire:Probe";

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "McpAspire:Probe:Interval must be between 1 second and 1 hour.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The built sidecar (McpAspire.StdioSidecar.dll) the probe spawns over real pipes; none means stdio is not probed.</summary>
    public string? SidecarPath { get; set; }

    /// <summary>The SSE front-end's base URL; defaults to Aspire service discovery's <c>services:sse-frontend:http:0</c>.</summary>
    public Uri? FrontEnd { get; set; }

    /// <summary>The HTTP worker's base URL; defaults to <c>services:http-worker:http:0</c>.</summary>
    public Uri? Worker { get; set; }

    /// <summary>The API key sent to the remote hosts (<c>X-API-Key</c>); none sends no credentials.</summary>
    public string? ApiKey { get; set; }
}
