using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using McpAspire.State;

namespace McpAspire.Hosting.RequestState;

/// <summary>
/// A SHA-256 digest of a request's arguments, independent of how the client laid them out: object members are taken in
/// ordinal order and numbers and strings as the JSON values they are, so the same arguments sent again digest the same.
/// </summary>
internal static class ArgumentsDigest
{
    public static string Compute(IEnumerable<KeyValuePair<string, JsonElement>>? arguments)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in (arguments ?? []).OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(name);
                WriteCanonical(writer, value);
            }

            writer.WriteEndObject();
        }

        return Convert.ToBase64String(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var member in value.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(member.Name);
                    WriteCanonical(writer, member.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(value.GetString());
                break;
            case JsonValueKind.Number when value.TryGetInt64(out var integer):
                writer.WriteNumberValue(integer);
                break;
            case JsonValueKind.Number when value.TryGetDouble(out var number) && double.IsFinite(number):
                // 1.0 and 1e0 are the number 1, as a tool reads them.
                writer.WriteNumberValue(number);
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
