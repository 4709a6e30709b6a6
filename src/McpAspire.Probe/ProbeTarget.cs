using ModelContextProtocol.Client;

namespace McpAspire.Probe;

/// <summary>One transport the probe calls, and how to open a client on it.</summary>
internal sealed record ProbeTarget(string Transport, string Endpoint, Func<IClientTransport> CreateTransport);
