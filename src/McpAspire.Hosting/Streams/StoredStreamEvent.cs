using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using McpAspire.State;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.Streams;

/// <summary>One stored event: <c>{sequence} {json}</c>, the sequence first so equal messages stay distinct members.</summary>
internal static class StoredStreamEvent
{
    private static readonly JsonSerializerOptions Json = McpJsonUtilities.DefaultOptions;

    public static string Serialize(long sequence, SseItem<JsonRpcMessage?> item)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", item.EventType);
            writer.WriteString("id", item.EventId);
            if (item.ReconnectionInterval is { } retry)
            {
                writer.WriteNumber("retryMs", (long)retry.TotalMilliseconds);
            }

            if (item.Data is { } data)
            {
                writer.WritePropertyName("data");
                JsonSerializer.Serialize(writer, data, Json.GetTypeInfo(typeof(JsonRpcMessage)));
            }

            writer.WriteEndObject();
        }

        return string.Create(CultureInfo.InvariantCulture, $"{sequence} {Encoding.UTF8.GetString(buffer.WrittenSpan)}");
    }

    public static (long Sequence, SseItem<JsonRpcMessage?> Item) Deserialize(string member)
    {
        var space = member.IndexOf(' ', StringComparison.Ordinal);
        var sequence = long.Parse(member.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture);
        using var document = JsonDocument.Parse(member.AsMemory(space + 1));
        var root = document.RootElement;
        var data = root.TryGetProperty("data", out var element)
            ? (JsonRpcMessage?)element.Deserialize(Json.GetTypeInfo(typeof(JsonRpcMessage)))
            : null;
        return (sequence, new SseItem<JsonRpcMessage?>(data, root.GetProperty("type").GetString())
        {
            EventId = root.GetProperty("id").GetString(),
            ReconnectionInterval = root.TryGetProperty("retryMs", out var retry) ? TimeSpan.FromMilliseconds(retry.GetInt64()) : null,
        });
    }
}
