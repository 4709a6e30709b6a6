using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpAspire.Hosting;
using McpAspire.Hosting.Http;
using McpAspire.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace McpAspire.Hosting.Tests;

/// <summary>
/// The SDK (2.4.0) writes a legacy stream's <c>endpoint</c> event outside the lock its messages take, and clears the
/// event writer's buffers only after the write's flush returns. A client that reads the endpoint and posts
/// <c>initialize</c> before that flush returns gets the endpoint again, glued to its answer
/// (<c>data: /mcp/message?…{json}</c>), which is likely under load. The front-end shows the endpoint to the client only
/// once the SDK is done writing it.
/// </summary>
public sealed class LegacyEndpointEventTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AClientThatAnswersTheEndpointAtOnce_GetsItsInitializeAnswerWhole_WhileTheEndpointsFlushIsSlow()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddMcpAspireState();
        builder.AddMcpAspireServer<McpAspireToolSet>().WithMcpAspireHttpTransport(McpHttpMode.StatefulWithLegacySse);
        await using var app = builder.Build();
        // Innermost, next to Kestrel: the first flush after an endpoint event takes half a second, as on a loaded machine.
        app.Use((context, next) => ResponseBodyWrapper.RunAsync(context, inner => new SlowFlushAfterEndpoint(inner, TimeSpan.FromMilliseconds(500)), next));
        app.MapMcpAspire();
        await app.StartAsync(Ct);
        var baseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        using var http = new HttpClient { BaseAddress = baseUri };

        using var get = new HttpRequestMessage(HttpMethod.Get, "/sse");
        get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var stream = await http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var events = new StreamReader(await stream.Content.ReadAsStreamAsync(Ct));
        var endpoint = await ReadEventAsync(events);
        Assert.Equal("endpoint", endpoint.Name);

        using var initialize = new StringContent(
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""",
            Encoding.UTF8, "application/json");
        using var posted = await http.PostAsync(endpoint.Data, initialize, Ct);
        Assert.Equal(202, (int)posted.StatusCode);

        var answer = await ReadEventAsync(events);
        Assert.Equal("message", answer.Name);
        using var json = JsonDocument.Parse(answer.Data);
        Assert.Equal(1, json.RootElement.GetProperty("id").GetInt32());
        Assert.Equal("2024-11-05", json.RootElement.GetProperty("result").GetProperty("protocolVersion").GetString());
        await app.StopAsync(Ct);
    }

    /// <summary>The next event with data, within 10 seconds (comments and keep-alives skipped).</summary>
    private static async Task<(string Name, string Data)> ReadEventAsync(StreamReader reader)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        string name = "message", data = "";
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0 && data.Length > 0)
            {
                return (name, data);
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data += line["data: ".Length..];
            }
        }

        throw new EndOfStreamException("The event stream ended.");
    }

    /// <summary>Passes everything through at once, except that the flush after an endpoint event is slow.</summary>
    private sealed class SlowFlushAfterEndpoint(Stream inner, TimeSpan delay) : WriteOnlyStream
    {
        private bool _endpointWritten;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            _endpointWritten |= buffer.Span.IndexOf("event: endpoint"u8) >= 0;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_endpointWritten)
            {
                _endpointWritten = false;
                await Task.Delay(delay, cancellationToken);
            }

            await inner.FlushAsync(cancellationToken);
        }

        public override void Flush() => inner.Flush();
    }
}
