namespace McpAspire.Hosting.Http;

/// <summary>The HTTP headers of the MCP transports that the edge reads.</summary>
internal static class McpHeaders
{
    public const string SessionId = "Mcp-Session-Id";

    public const string ProtocolVersion = "MCP-Protocol-Version";

    /// <summary>The first revision of the sessionless wire: no <c>initialize</c>, everything per request.</summary>
    public const string FirstSessionlessRevision = "2026-07-28";

    /// <summary>Whether the request says it speaks the sessionless wire (revision 2026-07-28 or later; revisions are dates).</summary>
    public static bool IsSessionless(Microsoft.AspNetCore.Http.IHeaderDictionary headers) =>
        headers[ProtocolVersion].ToString() is { Length: 10 } version && string.CompareOrdinal(version, FirstSessionlessRevision) >= 0;
}
