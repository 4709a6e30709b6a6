using System.Globalization;
using System.Text;
using System.Text.Json;

namespace McpAspire.Reliability.Tests.Infrastructure;

/// <summary>
/// The hostile-input corpus (<c>Corpus/hostile-input.json</c>): each case is a message body, written as text, or as
/// parts where a body is too large or not text (<c>{"repeat": "[", "times": 100000}</c>, <c>{"hex": "ff fe"}</c>),
/// with the answer each transport must give.
/// </summary>
internal static class HostileCorpus
{
    private static readonly Lazy<Dictionary<string, HostileCase>> Cases = new(Load);

    public static IEnumerable<string> Names => Cases.Value.Keys;

    public static HostileCase Get(string name) => Cases.Value[name];

    private static Dictionary<string, HostileCase> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Corpus", "hostile-input.json")));
        var cases = new Dictionary<string, HostileCase>(StringComparer.Ordinal);
        foreach (var entry in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            var name = entry.GetProperty("name").GetString()!;
            var headers = entry.TryGetProperty("headers", out var h)
                ? h.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
                : [];
            cases.Add(name, new HostileCase(name, Body(entry.GetProperty("body")), headers, entry.GetProperty("expect").Clone()));
        }

        return cases;
    }

    private static byte[] Body(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.String)
        {
            return Encoding.UTF8.GetBytes(body.GetString()!);
        }

        var bytes = new List<byte>();
        foreach (var part in body.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.String)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(part.GetString()!));
            }
            else if (part.TryGetProperty("repeat", out var repeat))
            {
                var unit = Encoding.UTF8.GetBytes(repeat.GetString()!);
                for (var i = part.GetProperty("times").GetInt32(); i > 0; i--)
                {
                    bytes.AddRange(unit);
                }
            }
            else
            {
                bytes.AddRange(part.GetProperty("hex").GetString()!.Split(' ').Select(b => byte.Parse(b, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }

        return [.. bytes];
    }
}
