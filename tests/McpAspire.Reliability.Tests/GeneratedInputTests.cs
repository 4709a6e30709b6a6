using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using McpAspire.Reliability.Tests.Infrastructure;
using McpAspire.Testing;

namespace McpAspire.Reliability.Tests;

/// <summary>
/// Generated input at the JSON-RPC edge, beside the fixed corpus: valid MCP messages mutated at random
/// (<see cref="MessageMutations"/>), from a fixed seed so a run repeats; <c>MCPASPIRE_PROPERTY_SEED</c> and
/// <c>MCPASPIRE_PROPERTY_ITERATIONS</c> explore further. Whatever arrives, no transport answers with a 5xx or with
/// anything but JSON-RPC, no host dies, no note changes, and the same session serves the next good request.
/// </summary>
public sealed class GeneratedInputTests(GeneratedInputTests.Hosts hosts) : IClassFixture<GeneratedInputTests.Hosts>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Seed => Environment.GetEnvironmentVariable("MCPASPIRE_PROPERTY_SEED") ?? "0000ZnFGn0Kc";

    private static long Iterations => long.TryParse(Environment.GetEnvironmentVariable("MCPASPIRE_PROPERTY_ITERATIONS"), CultureInfo.InvariantCulture, out var n) ? n : 300;

    [Fact]
    public async Task MutatedMessages_OverHttp_GetA4xxOrJsonRpc_NeverA5xx_AndChangeNothing()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var sessionId = await RawMcp.OpenSessionAsync(http, hosts.FrontEndMcp(), Ct);
        var before = await hosts.NotesAsync();

        await MessageMutations.Bodies.SampleAsync(async body =>
        {
            using var worker = RawMcp.Post(hosts.WorkerMcp(), body);
            await AssertJsonRpcOr4xxAsync(http, worker, "worker", hosts.Workers[0]);
            using var session = RawMcp.Post(hosts.FrontEndMcp(), body);
            session.Headers.Add("Mcp-Session-Id", sessionId);
            session.Headers.Add("MCP-Protocol-Version", "2025-11-25");
            await AssertJsonRpcOr4xxAsync(http, session, "session", hosts.FrontEnds[0]);
        }, seed: Seed, iter: Iterations, threads: 2, print: Print);

        Assert.Equal(before, await hosts.NotesAsync());
        await AssertServedAsync(http, RawMcp.Post(hosts.WorkerMcp(), RawMcp.ToolCall(1, "echo", """{"message":"next"}""")));
        await AssertServedAsync(http, RawMcp.PostInSession(hosts.FrontEndMcp(), RawMcp.ToolCall(1, "echo", """{"message":"next"}"""), sessionId));
        Assert.False(hosts.FrontEnds[0].HasExited || hosts.Workers[0].HasExited);
    }

    [Fact]
    public async Task MutatedMessages_OnALegacySession_GetA4xxOrJsonRpc_AndTheStreamCarriesOnlyJsonRpc()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        await using var legacy = await LegacySseConnection.OpenAsync(http, hosts.FrontEnds[0].BaseUri, Ct);
        await legacy.PostAsync(RawMcp.Initialize, Ct);
        await legacy.ReadMessageAsync(Ct);
        var before = await hosts.NotesAsync();

        await MessageMutations.Bodies.SampleAsync(async body =>
        {
            using var post = RawMcp.Post(legacy.MessageEndpoint, body);
            await AssertJsonRpcOr4xxAsync(http, post, "legacy", hosts.FrontEnds[0]);
        }, seed: Seed, iter: Iterations, threads: 1, print: Print);

        // Every message the stream carried meanwhile is JSON-RPC (the reader parses each), and the session still answers.
        await legacy.PostAsync("""{"jsonrpc":"2.0","id":"after","method":"ping"}""", Ct);
        while (!IsAnswerTo(await legacy.ReadMessageAsync(Ct), "after"))
        {
        }

        Assert.Equal(before, await hosts.NotesAsync());
    }

    [Fact]
    public async Task MutatedLines_OnStdio_NeverBreakTheSidecar_AndStdoutCarriesOnlyJsonRpc()
    {
        await using var sidecar = hosts.StartRawSidecar();
        await sidecar.InitializeAsync();
        await sidecar.ReadResponseAsync(1, Ct);
        var before = await hosts.NotesAsync();

        await MessageMutations.Bodies.SampleAsync(async body =>
        {
            // A newline in the body makes two lines of it, which is as hostile as anything else.
            await sidecar.SendBytesAsync(body);
        }, seed: Seed, iter: Iterations, threads: 1, print: Print);

        await sidecar.SendAsync("""{"jsonrpc":"2.0","id":"after","method":"ping"}""");
        JsonElement message;
        do
        {
            // ReadAsync parses every line as JSON: a line of anything else fails the test.
            message = await sidecar.ReadAsync(Ct);
            Assert.Equal("2.0", message.GetProperty("jsonrpc").GetString());
        }
        while (!IsAnswerTo(message, "after"));

        // The answer to "after" came from the process the test started (RawSidecar never restarts one).
        Assert.Equal(before, await hosts.NotesAsync());
    }

    private static bool IsAnswerTo(JsonElement message, string id) =>
        message.TryGetProperty("id", out var got) && got.ValueKind == JsonValueKind.String && got.GetString() == id;

    private static async Task AssertJsonRpcOr4xxAsync(HttpClient http, HttpRequestMessage request, string target, HostProcess host)
    {
        using var response = await http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        if ((int)response.StatusCode >= 500)
        {
            var output = host.Output;
            Assert.Fail($"[{target}] {(int)response.StatusCode}: {text}{Environment.NewLine}host output:{Environment.NewLine}{output[^Math.Min(output.Length, 6000)..]}");
        }
        if (text.Length == 0 || response.StatusCode == HttpStatusCode.Accepted)
        {
            // The legacy endpoint says "Accepted" in plain text.
            Assert.True(response.StatusCode == HttpStatusCode.Accepted || (int)response.StatusCode >= 400, $"[{target}] an empty {(int)response.StatusCode}");
            return;
        }

        var messages = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Where(line => line.StartsWith("data: ", StringComparison.Ordinal)).Select(line => line["data: ".Length..].TrimEnd('\r'))
                .Where(data => data.Length > 0) // a resumable stream's priming event carries no message
                .ToList()
            : [text];
        Assert.True(messages.Count > 0, $"[{target}] an event stream with no message: {text}");
        foreach (var json in messages)
        {
            using var document = JsonDocument.Parse(json);
            var message = document.RootElement;
            Assert.True(message.ValueKind == JsonValueKind.Object && message.GetProperty("jsonrpc").GetString() == "2.0", $"[{target}] not JSON-RPC: {json}");
            Assert.True(message.TryGetProperty("result", out _) || message.TryGetProperty("method", out _) ||
                message.GetProperty("error").GetProperty("code").ValueKind == JsonValueKind.Number, $"[{target}] neither result nor error: {json}");
        }
    }

    private static async Task AssertServedAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (var response = await http.SendAsync(request, Ct))
        {
            Assert.Equal("next", (await RawMcp.ReadMessageAsync(response, Ct)).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        }
    }

    private static string Print(byte[] body) => Encoding.UTF8.GetString(body[..Math.Min(body.Length, 2000)]);

    public sealed class Hosts : Deployment
    {
        protected override void Configure(Dictionary<string, string> environment)
        {
            environment["McpAspire__RateLimiting__Enabled"] = "false";
            // Generated log levels and cancellations must not fill the test output.
            environment["Logging__LogLevel__Default"] = "Warning";
        }

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SeedNoteAsync(TestContext.Current.CancellationToken);
        }
    }
}
