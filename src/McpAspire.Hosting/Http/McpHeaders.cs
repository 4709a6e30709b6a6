namespace McpAspire.Hosting.Http;

/// <summary>The HTTP headers of the MCP transports that the edge reads.</summary>
internal static class McpHeaders
{
    public const string SessionId = "Mcp-Session-Id";

    public const string ProtocolVersion = "MCP-Protocol-Version";
}
