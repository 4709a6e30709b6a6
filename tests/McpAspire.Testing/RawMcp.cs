using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace McpAspire.Testing;

/// <summary>Hand-made HTTP requests for the cases a well-behaved client never sends.</summary>
public static class RawMcp
{
    public const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    /// <summary>A <c>tools/call</c> request; <paramref name="arguments"/> is a JSON object.</summary>
    public static string ToolCall(int id, string tool, string arguments) =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + id.ToString(System.Globalization.CultureInfo.InvariantCulture) +
        ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}}";

    public static HttpRequestMessage Post(Uri uri, string body, string? accept = "application/json, text/event-stream", string contentType = "application/json") =>
        Post(uri, new StringContent(body, Encoding.UTF8), accept, contentType);

    /// <summary>A POST of exactly these bytes, which need not be UTF-8.</summary>
    public static HttpRequestMessage Post(Uri uri, byte[] body, string? accept = "application/json, text/event-stream", string contentType = "application/json") =>
        Post(uri, new ByteArrayContent(body), accept, contentType);

    private static HttpRequestMessage Post(Uri uri, HttpContent content, string? accept, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return request;
    }

    /// <summary>A POST on an open Streamable HTTP session.</summary>
    public static HttpRequestMessage PostInSession(Uri uri, string body, string sessionId, string protocolVersion = "2025-11-25")
    {
        var request = Post(uri, body);
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", protocolVersion);
        return request;
    }

    /// <summary>The one JSON-RPC message in a response, whether it came as JSON or as an SSE <c>data:</c> line.</summary>
    public static async Task<JsonElement> ReadMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? body.Split('\n').Select(line => line.TrimEnd('\r')).Last(line => line.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..]
            : body;
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    public static int ErrorCode(this JsonElement message) => message.GetProperty("error").GetProperty("code").GetInt32();

    public static string ErrorMessage(this JsonElement message) => message.GetProperty("error").GetProperty("message").GetString()!;

    /// <summary>Opens a stateful session on <paramref name="mcp"/> and returns its id.</summary>
    public static async Task<string> OpenSessionAsync(HttpClient http, Uri mcp, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(Post(mcp, Initialize), cancellationToken);
        response.EnsureSuccessStatusCode();
        var sessionId = response.Headers.GetValues("Mcp-Session-Id").Single();
        using var initialized = PostInSession(mcp, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", sessionId);
        using var accepted = await http.SendAsync(initialized, cancellationToken);
        accepted.EnsureSuccessStatusCode();
        return sessionId;
    }
}
