using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
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
using ModelContextProtocol.Protocol;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace McpAspire.Hosting.Tests;

/// <summary>
/// One tools/call is one trace on every transport: the SDK client's span is the parent of the host's server span
/// (through HTTP, and through <c>params._meta.traceparent</c> on stdio), and the server span says which transport,
/// replica and session served it. Client and host share this process, so one collector sees both sides.
/// </summary>
public sealed class TelemetryTests
{
    private const string Replica = "replica-under-test";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(McpHttpMode.StatefulWithLegacySse, "/mcp", HttpTransportMode.StreamableHttp, "streamable-http", true)]
    [InlineData(McpHttpMode.StatefulWithLegacySse, "/sse", HttpTransportMode.Sse, "sse", false)]
    [InlineData(McpHttpMode.Stateless, "/mcp", HttpTransportMode.StreamableHttp, "streamable-http", false)]
    public async Task ToolCallOverHttp_IsOneTrace_WithTransportReplicaAndSession(McpHttpMode mode, string path, HttpTransportMode clientMode, string transport, bool sessionHeader)
    {
        var spans = new SpanCollector();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["McpAspire:InstanceId"] = Replica;
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource("Experimental.ModelContextProtocol").AddProcessor(spans));
        builder.AddMcpAspireState();
        builder.AddMcpAspireServer<McpAspireToolSet>().WithMcpAspireHttpTransport(mode).WithMcpAspireTelemetry();
        await using var app = builder.Build();
        app.MapMcpAspire();
        await app.StartAsync(Ct);
        var baseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        await using (var client = await McpClient.CreateAsync(new HttpClientTransport(new() { Endpoint = new Uri(baseUri, path), TransportMode = clientMode }), cancellationToken: Ct))
        {
            await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "traced" }, cancellationToken: Ct);
            var (clientSpan, serverSpan) = await spans.ToolCallAsync("echo");
            AssertOneTrace(clientSpan, serverSpan, transport);
            Assert.Equal("tcp", serverSpan.GetTagItem("network.transport"));
            var header = serverSpan.GetTagItem("http.request.header.mcp-session-id") as string[];
            if (sessionHeader)
            {
                Assert.Equal(client.SessionId, Assert.Single(header!));
            }
            else
            {
                Assert.Null(header);
            }
        }

        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task ToolCallOverStdio_IsOneTrace_ThroughMetaTraceparent()
    {
        var spans = new SpanCollector();
        var toServer = new Pipe();
        var toClient = new Pipe();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["McpAspire:InstanceId"] = Replica;
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource("Experimental.ModelContextProtocol").AddProcessor(spans));
        builder.AddMcpAspireState();
        builder.AddMcpAspireServer<McpAspireToolSet>().WithStreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream()).WithMcpAspireTelemetry();
        using var host = builder.Build();
        await host.StartAsync(Ct);

        await using (var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()), cancellationToken: Ct))
        {
            await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "traced" }, cancellationToken: Ct);
            var (clientSpan, serverSpan) = await spans.ToolCallAsync("echo");
            AssertOneTrace(clientSpan, serverSpan, "stdio");
            Assert.Equal("pipe", serverSpan.GetTagItem("network.transport"));
        }

        await host.StopAsync(Ct);
    }

    private static void AssertOneTrace(Activity clientSpan, Activity serverSpan, string transport)
    {
        Assert.Equal(clientSpan.TraceId, serverSpan.TraceId);
        Assert.Equal(clientSpan.SpanId, serverSpan.ParentSpanId);
        Assert.Equal("tools/call", serverSpan.GetTagItem("mcp.method.name"));
        Assert.Equal("echo", serverSpan.GetTagItem("gen_ai.tool.name"));
        Assert.NotNull(serverSpan.GetTagItem("jsonrpc.request.id"));
        Assert.Equal(transport, serverSpan.GetTagItem("mcp.transport"));
        Assert.Equal(Replica, serverSpan.GetTagItem("mcpaspire.replica.id"));
    }

    /// <summary>Keeps every span that ends, for the test to look through.</summary>
    private sealed class SpanCollector : BaseProcessor<Activity>
    {
        private readonly ConcurrentQueue<Activity> _ended = new();

        public override void OnEnd(Activity data) => _ended.Enqueue(data);

        /// <summary>The client and server spans of one call to <paramref name="tool"/>, once both have ended (10 s at most).</summary>
        public async Task<(Activity Client, Activity Server)> ToolCallAsync(string tool)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                var calls = _ended.Where(s => s.DisplayName == $"tools/call {tool}").ToArray();
                if (calls.FirstOrDefault(s => s.Kind == ActivityKind.Client) is { } client && calls.FirstOrDefault(s => s.Kind == ActivityKind.Server) is { } server)
                {
                    return (client, server);
                }

                Assert.True(DateTime.UtcNow < deadline, $"No client and server span pair for tools/call {tool}; ended: {string.Join(", ", _ended.Select(s => $"{s.Kind} {s.DisplayName}"))}");
                await Task.Delay(20, Ct);
            }
        }
    }
}
