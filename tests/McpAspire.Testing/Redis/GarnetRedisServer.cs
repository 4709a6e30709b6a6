using Garnet;
using McpAspire.Cache;

namespace McpAspire.Testing;

/// <summary>Embedded Garnet, in this process, with the same flags as McpAspire.Cache.</summary>
public sealed class GarnetRedisServer : RedisTestServer
{
    private GarnetServer? _server;

    public override string Name => "garnet";

    public override ValueTask StartAsync()
    {
        _server = new GarnetServer(GarnetSettings.Arguments(Port));
        _server.Start();
        return ValueTask.CompletedTask;
    }

    public override ValueTask StopAsync()
    {
        _server?.Dispose();
        _server = null;
        return ValueTask.CompletedTask;
    }
}
