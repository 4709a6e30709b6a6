using McpAspire.Hosting;
using McpAspire.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Client;

namespace McpAspire.Hosting.Tests;

/// <summary>The front-end's gauges follow what it holds: sessions per transport and open event streams.</summary>
public sealed class MetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Gauges_CountTheSessionsAndStreamsOpenNow()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddMcpAspireState();
        builder.AddMcpAspireServer<McpAspireToolSet>().WithMcpAspireHttpTransport(McpHttpMode.StatefulWithLegacySse);
        await using var app = builder.Build();
        app.MapMcpAspire();
        await app.StartAsync(Ct);
        var baseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        using var gauges = new Gauges();
        // The host's warm-up opens a session of its own and ends it before /health is let through (no endpoint here: 404).
        using (var http = new HttpClient())
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (await HealthStatusAsync(http, baseUri) == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                Assert.True(DateTime.UtcNow < deadline, "The warm-up did not end.");
                await Task.Delay(20, Ct);
            }
        }

        await WaitForAsync(() => gauges.Read() == (0, 0, 0), gauges);

        await using (var legacy = await McpClient.CreateAsync(new HttpClientTransport(new() { Endpoint = new Uri(baseUri, "/sse"), TransportMode = HttpTransportMode.Sse }), cancellationToken: Ct))
        await using (var streamable = await McpClient.CreateAsync(new HttpClientTransport(new() { Endpoint = new Uri(baseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }), cancellationToken: Ct))
        {
            // One legacy session with its stream; one Streamable HTTP session (its client opens the optional GET stream too).
            await WaitForAsync(() => gauges.Read() is (1, 1, >= 1), gauges);
        }

        await WaitForAsync(() => gauges.Read() == (0, 0, 0), gauges);
        await app.StopAsync(Ct);
    }

    private static async Task<System.Net.HttpStatusCode> HealthStatusAsync(HttpClient http, Uri baseUri)
    {
        using var response = await http.GetAsync(new Uri(baseUri, "/health"), Ct);
        return response.StatusCode;
    }

    private static async Task WaitForAsync(Func<bool> condition, Gauges gauges)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Gauges stayed at {gauges.Read()}.");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Reads McpAspire's gauges on demand: (legacy sessions, Streamable HTTP sessions, open streams).</summary>
    private sealed class Gauges : IDisposable
    {
        private readonly McpAspireMeterListener _listener = new("mcp.transport", "mcpaspire.sessions.active", "mcpaspire.sse.streams.open");

        public (long Legacy, long Streamable, long Streams) Read()
        {
            var values = _listener.Observe();
            return (values.GetValueOrDefault("mcpaspire.sessions.active:sse"), values.GetValueOrDefault("mcpaspire.sessions.active:streamable-http"),
                values.GetValueOrDefault("mcpaspire.sse.streams.open"));
        }

        public void Dispose() => _listener.Dispose();
    }
}
