using System.Text.Json;
using System.Threading.Channels;

namespace McpAspire.Testing;

/// <summary>
/// Reads a raw <c>text/event-stream</c> response item by item, comments included. A pump reads the connection into a
/// queue, so waiting for an item with a deadline never disturbs the stream itself.
/// </summary>
public sealed class SseReader : IDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);
    private readonly HttpResponseMessage _response;
    private readonly Channel<SseItem> _items = Channel.CreateUnbounded<SseItem>();
    private readonly CancellationTokenSource _stop = new();

    public SseReader(HttpResponseMessage response)
    {
        _response = response;
        _ = PumpAsync();
    }

    /// <summary>The id of the last event read that had one: what a client sends back as <c>Last-Event-ID</c>.</summary>
    public string? LastEventId { get; private set; }

    public async Task<SseItem> ReadAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? ReadTimeout);
        try
        {
            var item = await _items.Reader.ReadAsync(cts.Token);
            LastEventId = item.Id ?? LastEventId;
            return item;
        }
        catch (ChannelClosedException ex)
        {
            throw new EndOfStreamException("The event stream ended.", ex.InnerException);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Nothing arrived on the event stream within {timeout ?? ReadTimeout}.");
        }
    }

    /// <summary>The next JSON-RPC message, skipping comments and events without data (priming events).</summary>
    public async Task<JsonElement> ReadMessageAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        // One deadline for the message, however many keep-alive comments come first.
        var deadline = DateTime.UtcNow + (timeout ?? ReadTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var item = await ReadAsync(cancellationToken, left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1));
            if (!item.IsComment && item.Data.Length > 0)
            {
                return JsonDocument.Parse(item.Data).RootElement.Clone();
            }
        }
    }

    /// <summary>Messages until the response to request <paramref name="id"/>, which is last.</summary>
    public async Task<List<JsonElement>> ReadUntilResponseAsync(JsonElement id, CancellationToken cancellationToken)
    {
        var messages = new List<JsonElement>();
        while (true)
        {
            var message = await ReadMessageAsync(cancellationToken);
            messages.Add(message);
            if (!message.TryGetProperty("method", out _) && message.TryGetProperty("id", out var answered) && answered.GetRawText() == id.GetRawText())
            {
                return messages;
            }
        }
    }

    /// <summary>True once the server ends the stream within <paramref name="timeout"/>; whatever arrives first is skipped.</summary>
    public async Task<bool> EndsWithinAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                await ReadAsync(cancellationToken, deadline - DateTime.UtcNow);
            }

            return false;
        }
        catch (EndOfStreamException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
            string? id = null, comment = null;
            string eventName = "message", data = "";
            var any = false;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (any)
                    {
                        await _items.Writer.WriteAsync(new SseItem(id, eventName, data, IsComment: false));
                    }
                    else if (comment is not null)
                    {
                        await _items.Writer.WriteAsync(new SseItem(null, "", comment, IsComment: true));
                    }

                    (id, comment, eventName, data, any) = (null, null, "message", "", false);
                    continue;
                }

                if (line.StartsWith(':'))
                {
                    comment = line[1..].Trim();
                    continue;
                }

                any = true;
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
                switch (field)
                {
                    case "id": id = value; break;
                    case "event": eventName = value; break;
                    case "data": data += value; break;
                }
            }

            _items.Writer.TryComplete();
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
            _items.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _response.Dispose();
        _stop.Dispose();
    }
}
