using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Testing;

/// <summary>Connects the SDK's own <see cref="McpClient"/> to a host over each transport.</summary>
public static class Clients
{
    public const string ClientName = "mcpaspire-transport-tests";

    public static Task<McpClient> ConnectAsync(HostsFixture hosts, TransportKind kind, CancellationToken cancellationToken, string? protocolVersion = null)
    {
        IClientTransport transport = kind switch
        {
            TransportKind.Stdio => new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "sidecar",
                Command = "dotnet",
                Arguments = [RepoLayout.ProjectDll("McpAspire.StdioSidecar")],
                EnvironmentVariables = new Dictionary<string, string?> { ["McpAspire__Files__Roots__0"] = hosts.FileRoot.FullName },
            }),
            TransportKind.LegacySse => Http(new Uri(hosts.FrontEndUri, "/sse"), HttpTransportMode.Sse),
            TransportKind.StatefulHttp => Http(new Uri(hosts.FrontEndUri, "/mcp"), HttpTransportMode.StreamableHttp),
            TransportKind.StatelessHttp => Http(new Uri(hosts.WorkerUri, "/mcp"), HttpTransportMode.StreamableHttp),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var options = new McpClientOptions
        {
            ClientInfo = new Implementation { Name = ClientName, Version = "1.0.0" },
            ProtocolVersion = protocolVersion,
        };
        return McpClient.CreateAsync(transport, options, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Spawns the sidecar with <paramref name="environment"/> (its Redis, principal, telemetry) and connects over its
    /// pipes: the built one, or a published <paramref name="executable"/>.
    /// </summary>
    public static Task<McpClient> ConnectSidecarAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, string? executable = null) =>
        McpClient.CreateAsync(
            new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "sidecar",
                Command = executable ?? "dotnet",
                Arguments = executable is null ? [RepoLayout.ProjectDll("McpAspire.StdioSidecar")] : [],
                EnvironmentVariables = environment.ToDictionary(e => e.Key, e => (string?)e.Value),
            }),
            new McpClientOptions { ClientInfo = new Implementation { Name = ClientName, Version = "1.0.0" } },
            cancellationToken: cancellationToken);

    private static HttpClientTransport Http(Uri endpoint, HttpTransportMode mode) =>
        new(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = mode });

    public static string Text(this CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(block => block.Text));
}
