namespace McpAspire.Abstractions;

/// <summary>McpAspire's own telemetry, beside the MCP SDK's.</summary>
public static class McpAspireTelemetry
{
    /// <summary>The name of McpAspire's <c>ActivitySource</c> and <c>Meter</c>: what a host's OpenTelemetry adds to export them.</summary>
    public const string Name = "McpAspire";
}
