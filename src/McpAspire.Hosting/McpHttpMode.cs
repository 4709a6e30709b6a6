namespace McpAspire.Hosting;

/// <summary>Which of the SDK's HTTP transports a host serves; one <c>MapMcp</c> cannot serve both.</summary>
public enum McpHttpMode
{
    /// <summary>Stateful Streamable HTTP at <c>/mcp</c> plus the legacy HTTP+SSE transport at <c>/sse</c>: the SSE front-end.</summary>
    StatefulWithLegacySse,

    /// <summary>Stateless Streamable HTTP at <c>/mcp</c>, no per-client memory: the HTTP worker.</summary>
    Stateless,
}
