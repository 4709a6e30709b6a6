using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Tests;

/// <summary>An MCP server built from a service collection, and the SDK's client connected to it over in-process pipes.</summary>
internal sealed class InMemoryServer : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly McpServer _server;
    private readonly Task _run;

    private InMemoryServer(ServiceProvider services, McpServer server, Task run, McpClient client)
    {
        _services = services;
        _server = server;
        _run = run;
        Client = client;
    }

    public McpClient Client { get; }

    /// <summary>The tools, prompts and resources the server was given.</summary>
    public IEnumerable<IMcpServerPrimitive> Primitives =>
        [.. _services.GetServices<McpServerTool>(), .. _services.GetServices<McpServerPrompt>(), .. _services.GetServices<McpServerResource>()];

    public static async Task<InMemoryServer> StartAsync(Action<IMcpServerBuilder> configure, string protocolVersion, CancellationToken cancellationToken)
    {
        var collection = new ServiceCollection().AddLogging();
        configure(collection.AddMcpServer());
        var services = collection.BuildServiceProvider();

        var toServer = new Pipe();
        var toClient = new Pipe();
        var server = McpServer.Create(
            new StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream()),
            services.GetRequiredService<IOptions<McpServerOptions>>().Value,
            services.GetRequiredService<ILoggerFactory>(),
            services);
        var run = server.RunAsync(cancellationToken);
        var client = await McpClient.CreateAsync(
            new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()),
            new McpClientOptions { ClientInfo = new Implementation { Name = "in-memory", Version = "1.0.0" }, ProtocolVersion = protocolVersion },
            cancellationToken: cancellationToken);
        return new InMemoryServer(services, server, run, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _server.DisposeAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        await _services.DisposeAsync();
    }
}
