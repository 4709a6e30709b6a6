namespace McpAspire.Abstractions;

/// <summary>The transport names used in <see cref="McpCaller.Transport"/> and in telemetry (<c>mcp.transport</c>).</summary>
public static class McpTransports
{
    /// <summary>JSON-RPC over the standard input and output of a process its client started.</summary>
    public const string Stdio = "stdio";

    /// <summary>The legacy HTTP+SSE transport (2024-11-05): <c>GET /sse</c> and a message endpoint.</summary>
    public const string Sse = "sse";

    /// <summary>Streamable HTTP, with or without sessions.</summary>
    public const string StreamableHttp = "streamable-http";
}
