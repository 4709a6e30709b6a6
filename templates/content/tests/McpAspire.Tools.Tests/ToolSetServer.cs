using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Tools.Tests;

/// <summary>
/// The tool set in a host composed as the stdio sidecar composes it (state in this process), with the MCP SDK's client
/// connected to it over in-process pipes.
/// </summary>
internal sealed class ToolSetServer : IAsyncDisposable
{
    private readonly IHost _host;

    private ToolSetServer(IHost host, McpClient client)
    {
        _host = host;
        Client = client;
    }

    public McpClient Client { get; }

    public static async Task<ToolSetServer> StartAsync(CancellationToken cancellationToken)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddMcpAspireState("cache");
        builder.AddMcpAspireServer<McpAspireToolSet>()
            .WithStreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream());
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var client = await McpClient.CreateAsync(
            new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()),
            new McpClientOptions { ClientInfo = new Implementation { Name = "tool-set-tests", Version = "1.0.0" } },
            cancellationToken: cancellationToken);
        return new ToolSetServer(host, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _host.StopAsync(TimeSpan.FromSeconds(10));
        _host.Dispose();
    }
}
