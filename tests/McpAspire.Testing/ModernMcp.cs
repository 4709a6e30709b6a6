using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpAspire.Testing;

/// <summary>Hand-made requests at the 2026-07-28 wire: no session, the protocol version and capabilities in each request's <c>_meta</c>.</summary>
public static class ModernMcp
{
    public const string Version = "2026-07-28";

    /// <summary>Capabilities a client that can answer every kind of input request declares.</summary>
    public const string AllCapabilities = """{"elicitation":{},"sampling":{},"roots":{}}""";

    /// <summary>
    /// A <c>tools/call</c> of <paramref name="tool"/> with <paramref name="arguments"/> (a JSON object), the client
    /// declaring <paramref name="capabilities"/>, and optionally a second round's <paramref name="inputResponses"/> (a
    /// JSON object) and <paramref name="requestState"/>.
    /// </summary>
    public static HttpRequestMessage ToolCall(Uri mcp, int id, string tool, string arguments = "{}", string capabilities = AllCapabilities,
        string? inputResponses = null, string? requestState = null)
    {
        var parameters = new JsonObject
        {
            ["name"] = tool,
            ["arguments"] = JsonNode.Parse(arguments),
            ["_meta"] = Meta(capabilities),
        };
        if (inputResponses is not null)
        {
            parameters["inputResponses"] = JsonNode.Parse(inputResponses);
        }

        if (requestState is not null)
        {
            parameters["requestState"] = requestState;
        }

        return Request(mcp, id, "tools/call", tool, parameters);
    }

    /// <summary>
    /// A <c>subscriptions/listen</c> with the listen request's <paramref name="id"/> (its subscription id), asking for
    /// updates of <paramref name="uris"/> and, with <paramref name="listChanged"/>, resource list changes.
    /// </summary>
    public static HttpRequestMessage Listen(Uri mcp, int id, IReadOnlyCollection<string> uris, bool listChanged)
    {
        var notifications = new JsonObject();
        if (uris.Count > 0)
        {
            notifications["resourceSubscriptions"] = new JsonArray([.. uris.Select(u => (JsonNode)u)]);
        }

        if (listChanged)
        {
            notifications["resourcesListChanged"] = true;
        }

        return Request(mcp, id, "subscriptions/listen", null, new JsonObject { ["notifications"] = notifications, ["_meta"] = Meta("{}") });
    }

    public static HttpRequestMessage Request(Uri mcp, int id, string method, string? name, JsonObject parameters)
    {
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters };
        var request = RawMcp.Post(mcp, body.ToJsonString());
        request.Headers.Add("MCP-Protocol-Version", Version);
        request.Headers.Add("Mcp-Method", method);
        if (name is not null)
        {
            request.Headers.Add("Mcp-Name", name);
        }

        return request;
    }

    public static JsonObject Meta(string capabilities) => new()
    {
        ["io.modelcontextprotocol/protocolVersion"] = Version,
        ["io.modelcontextprotocol/clientCapabilities"] = JsonNode.Parse(capabilities),
        ["io.modelcontextprotocol/clientInfo"] = new JsonObject { ["name"] = Clients.ClientName, ["version"] = "1.0.0" },
    };

    /// <summary>An elicitation answer that accepts with <paramref name="content"/> (a JSON object).</summary>
    public static string Accept(string key, string content) => $$$"""{"{{{key}}}":{"action":"accept","content":{{{content}}}}}""";

    public static string ResultType(this JsonElement message) => message.GetProperty("result").GetProperty("resultType").GetString()!;

    public static string RequestState(this JsonElement message) => message.GetProperty("result").GetProperty("requestState").GetString()!;

    public static string ToolText(this JsonElement message) =>
        string.Concat(message.GetProperty("result").GetProperty("content").EnumerateArray().Select(c => c.GetProperty("text").GetString()));

    public static string Reason(this JsonElement message) =>
        message.GetProperty("error").GetProperty("data").GetProperty("reason").GetString()!;

    public static int Id(this JsonElement message) => message.GetProperty("id").GetInt32();

    public static string Json(this JsonElement message) => message.GetRawText();

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
