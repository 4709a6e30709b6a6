using System.Net;
using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// What the replica suites share: the SSE front-end as several replicas on one cache with no sticky sessions
/// (<see cref="ReplicasFixture"/>), one set for the collection, and the requests and streams the suites use.
/// </summary>
public abstract class ReplicaTestsBase(ReplicasFixture replicas) : IDisposable
{
    protected ReplicasFixture Replicas => replicas;

    protected const string ProtocolVersion = "2025-11-25";

    /// <summary>Long enough that, uncancelled, it would still be sending progress when the test gives up waiting.</summary>
    protected const string EndlessArguments = """{"steps":1000,"delayMs":50}""";

    /// <summary>Bounds each request until its headers; streams are read with their own deadlines.</summary>
    protected HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Http.Dispose();
        GC.SuppressFinalize(this);
        // The two replicas serve the whole collection: one that died is a crash, to be shown with what it printed.
        foreach (var (name, replica) in new[] { ("A", replicas.A), ("B", replicas.B) })
        {
            Assert.False(replica.HasExited, $"Replica {name} exited during the test:{Environment.NewLine}{replica.Output}");
        }
    }

    protected static string LegacyInitialize =>
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"replica-test","version":"1"}}}""";

    protected static string LongRunning(int id, string progressToken, string arguments) =>
        $$"""{"jsonrpc":"2.0","id":{{id}},"method":"tools/call","params":{"name":"long_running","arguments":{{arguments}},"_meta":{"progressToken":"{{progressToken}}" """ + "}}}";

    protected static string Cancel(int id) =>
        $$$"""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":{{{id}}},"reason":"test"}}""";

    /// <summary>A session's GET stream: the standalone one, or with <paramref name="lastEventId"/> a stream resumed.</summary>
    protected static HttpRequestMessage GetStream(Uri mcp, string sessionId, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, mcp);
        request.Headers.Add("Accept", "text/event-stream");
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        return request;
    }

    protected static JsonElement JsonId(int id) => JsonDocument.Parse(id.ToString(System.Globalization.CultureInfo.InvariantCulture)).RootElement.Clone();

    protected static int[] ProgressOf(IEnumerable<JsonElement> messages, string token) =>
        [.. messages
            .Where(m => m.TryGetProperty("method", out var method) && method.GetString() == "notifications/progress" &&
                m.GetProperty("params").GetProperty("progressToken").GetString() == token)
            .Select(m => m.GetProperty("params").GetProperty("progress").GetInt32())];

    /// <summary>
    /// A cancelled call stops: its progress (one every 50 ms while it runs) falls silent for a whole second well
    /// before the call would have ended, and it is never answered.
    /// </summary>
    protected static async Task AssertGoesQuietAsync(SseReader reader, int cancelledId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            JsonElement message;
            try
            {
                message = await reader.ReadMessageAsync(Ct, TimeSpan.FromSeconds(1));
            }
            catch (TimeoutException)
            {
                return;
            }

            Assert.False(message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt32() == cancelledId,
                $"The cancelled call {cancelledId} was answered: {message}");
        }

        Assert.Fail($"Progress of call {cancelledId} went on after it was cancelled.");
    }

    protected async Task PostAcceptedAsync(Uri endpoint, string body)
    {
        using var response = await Http.SendAsync(RawMcp.Post(endpoint, body), Ct);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            Assert.Fail($"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        }
    }

    protected async Task<SseReader> SendStreamingAsync(HttpRequestMessage request)
    {
        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        if (!response.IsSuccessStatusCode)
        {
            // Read the body only on failure: on success it is a stream that may not end for a long time.
            Assert.Fail($"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        }

        return new SseReader(response);
    }

    protected Task<LegacyConnection> OpenLegacyStreamAsync(HostProcess replica) => OpenLegacyStreamAsync(replica, Http);

    protected static async Task<LegacyConnection> OpenLegacyStreamAsync(HostProcess replica, HttpClient http)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(replica.BaseUri, "/sse"));
        request.Headers.Add("Accept", "text/event-stream");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        response.EnsureSuccessStatusCode();
        var reader = new SseReader(response);
        SseItem endpoint;
        do
        {
            endpoint = await reader.ReadAsync(Ct, TimeSpan.FromSeconds(60));
        }
        while (endpoint.IsComment);
        Assert.Equal("endpoint", endpoint.Event);
        return new LegacyConnection(reader, endpoint.Data);
    }

    protected sealed record LegacyConnection(SseReader Reader, string Endpoint) : IDisposable
    {
        public void Dispose() => Reader.Dispose();
    }
}
