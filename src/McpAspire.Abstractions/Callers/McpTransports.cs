namespace McpAspire.Abstractions;

/// <summary>The transport names used in <see cref="McpCaller.Transport"/> and in telemetry (<c>mcp.transport</c>).</summary>
public static class McpTransports
{
    public const string Stdio = "stdio";
    public const string Sse = "sse";
    public const string StreamableHttp = "streamable-http";
}
