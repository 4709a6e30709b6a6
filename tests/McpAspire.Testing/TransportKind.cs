namespace McpAspire.Testing;

public enum TransportKind
{
    /// <summary>The sidecar, spawned over real pipes.</summary>
    Stdio,

    /// <summary>The SSE front-end's legacy HTTP+SSE transport (2024-11-05).</summary>
    LegacySse,

    /// <summary>The SSE front-end's stateful Streamable HTTP.</summary>
    StatefulHttp,

    /// <summary>The HTTP worker's stateless Streamable HTTP.</summary>
    StatelessHttp,
}
