using System.Net.Sockets;
using System.Text;

namespace McpAspire.Reliability.Tests.Infrastructure;

/// <summary>One TCP connection speaking HTTP/1.1 by hand, for the requests no HTTP client library will send.</summary>
internal sealed class RawHttp : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawHttp(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawHttp> ConnectAsync(Uri baseUri, CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        await client.ConnectAsync(baseUri.Host, baseUri.Port, cancellationToken);
        return new RawHttp(client);
    }

    /// <summary>The start of a POST to <paramref name="path"/> with the MCP headers, up to (not including) the blank line.</summary>
    public static string PostHead(Uri baseUri, string path, string? contentLength) =>
        $"POST {path} HTTP/1.1\r\nHost: {baseUri.Authority}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n" +
        (contentLength is null ? "" : $"Content-Length: {contentLength}\r\n");

    public Task SendAsync(string text, CancellationToken cancellationToken) => SendAsync(Encoding.ASCII.GetBytes(text), cancellationToken);

    public async Task SendAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(bytes, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Sends one byte at a time, <paramref name="interval"/> apart, until the server answers or hangs up or <paramref name="until"/> passes.</summary>
    public async Task TrickleAsync(string text, TimeSpan interval, TimeSpan until, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + until;
        for (var i = 0; DateTime.UtcNow < deadline && _client.Available == 0; i = (i + 1) % text.Length)
        {
            try
            {
                await SendAsync(text[i].ToString(), cancellationToken);
            }
            catch (IOException)
            {
                return; // the server hung up
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    /// <summary>
    /// Everything the server sends until it closes the connection or <paramref name="timeout"/> passes: the status line
    /// first. Empty when it closed without a word.
    /// </summary>
    public async Task<string> ReadToCloseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await _stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The server neither answered nor closed within {timeout}; received: {Encoding.UTF8.GetString(received.ToArray())}");
        }
        catch (IOException)
        {
            // Reset by the server after it answered.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    /// <summary>The status line and headers of the first response, once they have arrived.</summary>
    public async Task<string> ReadHeadAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var received = new StringBuilder();
        var buffer = new byte[1];
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await _stream.ReadAsync(buffer, cts.Token) == 0)
            {
                break;
            }

            received.Append((char)buffer[0]);
        }

        return received.ToString();
    }

    public void Dispose() => _client.Dispose();
}
