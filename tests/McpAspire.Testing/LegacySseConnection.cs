using System.Text.Json;

namespace McpAspire.Testing;

/// <summary>A hand-driven legacy HTTP+SSE session: the <c>GET /sse</c> stream and the endpoint it announces.</summary>
public sealed class LegacySseConnection : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private LegacySseConnection(HttpClient http, HttpResponseMessage response, StreamReader reader, Uri messageEndpoint)
    {
        _http = http;
        _response = response;
        _reader = reader;
        MessageEndpoint = messageEndpoint;
    }

    public Uri MessageEndpoint { get; }

    public static async Task<LegacySseConnection> OpenAsync(HttpClient http, Uri baseUri, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "/sse"));
        request.Headers.Add("Accept", "text/event-stream");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var (eventName, data) = await ReadEventAsync(reader, cancellationToken);
        if (eventName != "endpoint")
        {
            throw new InvalidOperationException($"Expected the endpoint event, got '{eventName}'.");
        }

        return new LegacySseConnection(http, response, reader, new Uri(baseUri, data));
    }

    public async Task PostAsync(string body, CancellationToken cancellationToken)
    {
        using var response = await _http.SendAsync(RawMcp.Post(MessageEndpoint, body), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The next JSON-RPC message on the stream, within 15 seconds.</summary>
    public async Task<JsonElement> ReadMessageAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(15));
        var (_, data) = await ReadEventAsync(_reader, cts.Token);
        return JsonDocument.Parse(data).RootElement.Clone();
    }

    private static async Task<(string Event, string Data)> ReadEventAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        string eventName = "message", data = "";
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0 && data.Length > 0)
            {
                return (eventName, data);
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data += line["data: ".Length..];
            }
        }

        throw new EndOfStreamException("The SSE stream ended.");
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
