using System.Net;
using System.Net.Sockets;

namespace McpAspire.Testing;

/// <summary>A loopback TCP port free right now, for a server the tests or benchmarks start themselves.</summary>
public static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
