using Microsoft.Extensions.DependencyInjection;

namespace McpAspire.Abstractions;

/// <summary>
/// A tool set: what the MCP server is called, what it tells clients about itself, and the tools, prompts and resources it
/// serves with the services they need. A host names its tool set once, <c>AddMcpAspireServer&lt;TToolSet&gt;()</c>; the
/// plumbing (transports, validation, sealed request state, limits, telemetry) is the same for every tool set.
/// </summary>
public interface IMcpToolSet
{
    /// <summary>The server's name, as <c>serverInfo</c> reports it.</summary>
    static abstract string Name { get; }

    /// <summary>What the server tells a client's model about its tools (the <c>instructions</c> of discovery and initialize).</summary>
    static abstract string Instructions { get; }

    /// <summary>Adds the tool set's tools, prompts, resources and their services to <paramref name="server"/>.</summary>
    static abstract void AddTo(IMcpServerBuilder server);
}
