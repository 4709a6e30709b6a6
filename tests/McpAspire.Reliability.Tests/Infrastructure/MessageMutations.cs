using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace McpAspire.Reliability.Tests.Infrastructure;

/// <summary>
/// Generated JSON-RPC bodies: a valid MCP message with one or two mutations — a value swapped for one of another
/// type, a member dropped or added, the bytes truncated, a byte inserted or flipped. A shrunk failure points at the
/// smallest such change.
/// </summary>
internal static class MessageMutations
{
    /// <summary>
    /// Valid messages of every kind a client sends; none writes state, so a run must leave the notes as they were. The
    /// cancellation names an id no seed request uses: bodies are sent on two threads into one session, and a cancellation
    /// that hits a request in flight rightly ends that request's stream with no answer.
    /// </summary>
    private static readonly string[] Seeds =
    [
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"roots":{"listChanged":true},"sampling":{}},"clientInfo":{"name":"gen","version":"1"}}}""",
        """{"jsonrpc":"2.0","id":2,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"cursor":"abc"}}""",
        """{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"},"_meta":{"progressToken":"t1"}}}""",
        """{"jsonrpc":"2.0","id":"five","method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}""",
        """{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"notes_get","arguments":{"name":"seed"}}}""",
        """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"long_running","arguments":{"steps":2,"delayMs":1}}}""",
        """{"jsonrpc":"2.0","id":8,"method":"prompts/get","params":{"name":"summarize_notes","arguments":{"style":"brief"}}}""",
        """{"jsonrpc":"2.0","id":9,"method":"resources/read","params":{"uri":"note://seed"}}""",
        """{"jsonrpc":"2.0","id":10,"method":"resources/list"}""",
        """{"jsonrpc":"2.0","id":11,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"summarize_notes"},"argument":{"name":"style","value":"b"}}}""",
        """{"jsonrpc":"2.0","id":12,"method":"logging/setLevel","params":{"level":"info"}}""",
        """{"jsonrpc":"2.0","method":"notifications/initialized"}""",
        """{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":40,"reason":"gen"}}""",
        """{"jsonrpc":"2.0","id":99,"result":{"roots":[]}}""",
    ];

    private static readonly string[] Texts =
        ["", "2.0", "tools/call", "initialize", "echo", "note://", "\u0000", "é中😀", "\ud800", "\t\r\n", "-1", "{}", "null", new string('x', 5000)];

    private static readonly string[] MemberNames = ["jsonrpc", "id", "method", "params", "result", "error", "_meta", "arguments", "name", "__proto__", ""];

    private static Gen<Func<byte[], byte[]>> Mutation { get; } =
        Gen.Select(Gen.Int[0, 6], Gen.Int[0, 10_000], Gen.Int[0, 12], Gen.Long, Gen.Byte)
            .Select<int, int, int, long, byte, Func<byte[], byte[]>>((kind, pick, valueKind, number, b) => body => kind switch
            {
                0 => OnJson(body, root => Replace(root, pick, Value(valueKind, number))),
                1 => OnJson(body, root => Remove(root, pick)),
                2 => OnJson(body, root => Add(root, pick, MemberNames[(int)((ulong)number % (ulong)MemberNames.Length)], Value(valueKind, number))),
                3 => body[..(pick % (body.Length + 1))],
                4 => [.. body[..(pick % (body.Length + 1))], b, .. body[(pick % (body.Length + 1))..]],
                5 => body.Length == 0 ? body : Flip(body, pick % body.Length, b),
                _ => OnJson(body, root => Replace(root, pick, Nested(valueKind * 8))),
            });

    /// <summary>The generator: bodies as bytes (they need not be UTF-8 or JSON).</summary>
    public static Gen<byte[]> Bodies { get; } =
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Mutation, Mutation.Array[0, 2])
            .Select((seed, first, more) => more.Aggregate(first(Encoding.UTF8.GetBytes(Seeds[seed])), (body, mutate) => mutate(body)));

    private static byte[] Flip(byte[] body, int at, byte with)
    {
        var copy = (byte[])body.Clone();
        copy[at] = with;
        return copy;
    }

    /// <summary>Applies <paramref name="change"/> to the body as JSON; a body that is no longer JSON is left as it is.</summary>
    private static byte[] OnJson(byte[] body, Func<JsonNode, JsonNode?> change)
    {
        try
        {
            return JsonNode.Parse(body) is { } root ? Encoding.UTF8.GetBytes(change(root)?.ToJsonString() ?? "null") : body;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            // Not JSON any more (or not UTF-8): byte mutations only from here on.
            return body;
        }
    }

    private static List<JsonNode> Nodes(JsonNode root)
    {
        var nodes = new List<JsonNode> { root };
        for (var i = 0; i < nodes.Count; i++)
        {
            nodes.AddRange(nodes[i] switch
            {
                JsonObject o => o.Select(m => m.Value).OfType<JsonNode>(),
                JsonArray a => a.OfType<JsonNode>(),
                _ => [],
            });
        }

        return nodes;
    }

    private static JsonNode? Replace(JsonNode root, int pick, JsonNode? value)
    {
        var target = Nodes(root)[pick % Nodes(root).Count];
        if (target.Parent is null)
        {
            return value;
        }

        target.ReplaceWith(value);
        return root;
    }

    private static JsonNode Remove(JsonNode root, int pick)
    {
        var target = Nodes(root)[pick % Nodes(root).Count];
        switch (target.Parent)
        {
            case JsonObject o:
                o.Remove(target.GetPropertyName());
                break;
            case JsonArray a:
                a.Remove(target);
                break;
        }

        return root;
    }

    private static JsonNode Add(JsonNode root, int pick, string name, JsonNode? value)
    {
        var objects = Nodes(root).OfType<JsonObject>().ToList();
        if (objects.Count > 0)
        {
            objects[pick % objects.Count][name] = value;
        }

        return root;
    }

    private static JsonNode? Value(int kind, long number) => kind switch
    {
        0 => null,
        1 => JsonValue.Create(number % 2 == 0),
        2 => JsonValue.Create(number),
        3 => JsonValue.Create(number / 1e3),
        4 => JsonValue.Create(double.MaxValue),
        5 => JsonValue.Create(Texts[(int)((ulong)number % (ulong)Texts.Length)]),
        6 => JsonValue.Create(number.ToString(CultureInfo.InvariantCulture)),
        7 => new JsonArray(),
        8 => new JsonObject(),
        9 => new JsonArray(JsonValue.Create(1), JsonValue.Create("two"), null),
        10 => new JsonObject { ["type"] = "ref/prompt", ["name"] = Texts[(int)((ulong)number % (ulong)Texts.Length)] },
        11 => JsonValue.Create(long.MinValue),
        _ => Nested((int)((ulong)number % 80)),
    };

    /// <summary>Arrays nested <paramref name="depth"/> deep: past 64 the SDK's reader gives up.</summary>
    private static JsonNode Nested(int depth)
    {
        JsonNode node = new JsonArray();
        for (var i = 0; i < depth; i++)
        {
            node = new JsonArray(node);
        }

        return node;
    }
}
