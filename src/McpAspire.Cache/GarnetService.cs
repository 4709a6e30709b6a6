using Garnet;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpAspire.Cache;

/// <summary>Runs Garnet for the host's lifetime on <c>Cache:Port</c> (default 6379) and <c>Cache:Bind</c> (default loopback).</summary>
internal sealed partial class GarnetService(IConfiguration configuration, ILoggerFactory loggerFactory, ILogger<GarnetService> logger) : IHostedService, IDisposable
{
    private GarnetServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var port = configuration.GetValue("Cache:Port", 6379);
        var bind = configuration.GetValue("Cache:Bind", "127.0.0.1")!;
        _server = new GarnetServer(GarnetSettings.Arguments(port, bind), loggerFactory);
        _server.Start();
        LogListening(bind, port);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _server?.Dispose();
        _server = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Garnet listening on {Bind}:{Port}")]
    private partial void LogListening(string bind, int port);
}
