namespace McpAspire.Abstractions;

/// <summary>The transport a host serves (<see cref="McpAspireFeatures.Transport"/>).</summary>
public enum McpAspireTransport
{
    /// <summary>JSON-RPC over stdin and stdout: the sidecar.</summary>
    Stdio,

    /// <summary>Stateless Streamable HTTP: the worker.</summary>
    StatelessHttp,

    /// <summary>Stateful Streamable HTTP and the legacy HTTP+SSE transport: the front-end.</summary>
    StatefulHttp,
}
