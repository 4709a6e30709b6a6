using System.Net;
using System.Text.Json;
using McpAspire.Reliability.Tests.Infrastructure;
using McpAspire.Testing;

namespace McpAspire.Reliability.Tests;

/// <summary>
/// Every case of the hostile-input corpus against every transport: the stateless worker, a stateful Streamable HTTP
/// session, a legacy HTTP+SSE session and the stdio sidecar. Each gets the answer the corpus documents, changes no
/// stored note, crashes nothing, and the same session serves the next good request.
/// </summary>
public sealed class HostileInputTests(HostileInputTests.Targets targets) : IClassFixture<HostileInputTests.Targets>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Cases => [.. HostileCorpus.Names];

    [Theory, MemberData(nameof(Cases))]
    public async Task CorpusCase_GetsItsDocumentedAnswer_ChangesNothing_AndTheNextRequestIsServed(string name)
    {
        var hostile = HostileCorpus.Get(name);
        var before = await targets.NotesAsync();
        var ran = 0;
        foreach (var target in Targets.All)
        {
            if (hostile.ExpectationFor(target) is not { } expected)
            {
                continue;
            }

            ran++;
            var (status, answer) = await targets.SendAsync(target, hostile, expected, Ct);
            Check(target, expected, status, answer);
            await targets.AssertServesAsync(target, Ct);
            Assert.Equal(before, await targets.NotesAsync());
        }

        Assert.True(ran > 0, $"'{name}' names no target.");
        Assert.False(targets.AnyHostExited, "a host exited");
    }

    private static void Check(string target, JsonElement expected, HttpStatusCode? status, JsonElement? answer)
    {
        var raw = answer?.GetRawText() ?? "none";
        var where = $"[{target}] answer: {raw[..Math.Min(raw.Length, 600)]}";
        if (expected.TryGetProperty("status", out var wantStatus))
        {
            Assert.True(status == (HttpStatusCode)wantStatus.GetInt32(), $"status {(int?)status}, expected {wantStatus.GetInt32()} {where}");
        }

        if (expected.TryGetProperty("answer", out var none) && none.GetString() == "none")
        {
            Assert.True(answer is null, $"expected no answer {where}");
            return;
        }

        if (!Targets.ExpectsAnswer(expected))
        {
            Assert.True(answer is null, $"expected no message {where}");
            return;
        }

        Assert.True(answer is { ValueKind: JsonValueKind.Object }, $"expected a JSON-RPC answer {where}");
        var message = answer.Value;
        if (expected.TryGetProperty("id", out var id))
        {
            Assert.True(message.TryGetProperty("id", out var gotId) && JsonElement.DeepEquals(id, gotId), $"expected id {id.GetRawText()} {where}");
        }

        if (expected.TryGetProperty("code", out var code))
        {
            Assert.True(message.TryGetProperty("error", out var error), $"expected error {code} {where}");
            Assert.True(error.GetProperty("code").GetInt32() == code.GetInt32(), $"expected error {code} {where}");
            if (expected.TryGetProperty("message", out var text))
            {
                Assert.StartsWith(text.GetString()!, error.GetProperty("message").GetString(), StringComparison.Ordinal);
            }

            return;
        }

        Assert.True(message.TryGetProperty("result", out var result), $"expected a result {where}");

        var isError = result.TryGetProperty("isError", out var flag) && flag.GetBoolean();
        var content = result.TryGetProperty("content", out var blocks) && blocks.GetArrayLength() > 0 ? blocks[0].GetProperty("text").GetString() : null;
        if (expected.TryGetProperty("toolError", out var toolError))
        {
            Assert.True(isError, $"expected a tool error {where}");
            Assert.Equal(toolError.GetString(), content);
        }
        else if (expected.TryGetProperty("text", out var echoed))
        {
            Assert.False(isError, where);
            Assert.Equal(echoed.GetString(), content);
        }
        else if (expected.TryGetProperty("textLength", out var length))
        {
            Assert.False(isError, where);
            Assert.Equal(length.GetInt32(), content?.Length);
        }
    }

    /// <summary>
    /// One deployment and one long-lived session per transport for the whole corpus, so every case also shows that
    /// the session it hit is still usable; a note named <c>seed</c> that the refused writes try to change.
    /// </summary>
    public sealed class Targets : Deployment
    {
        public static readonly string[] All = ["worker", "session", "legacy", "stdio"];

        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
        private string _sessionId = null!;
        private LegacySseConnection _legacy = null!;
        private RawSidecar _sidecar = null!;
        private int _probes;

        internal bool AnyHostExited => FrontEnds.Concat(Workers).Any(h => h.HasExited);

        protected override void Configure(Dictionary<string, string> environment) =>
            environment["McpAspire__RateLimiting__Enabled"] = "false";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            var ct = TestContext.Current.CancellationToken;
            await SeedNoteAsync(ct);
            _sessionId = await RawMcp.OpenSessionAsync(_http, FrontEndMcp(), ct);
            _legacy = await LegacySseConnection.OpenAsync(_http, FrontEnds[0].BaseUri, ct);
            await _legacy.PostAsync(RawMcp.Initialize, ct);
            await _legacy.ReadMessageAsync(ct);
            await _legacy.PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""", ct);
            _sidecar = StartRawSidecar();
            await _sidecar.InitializeAsync();
            await _sidecar.ReadResponseAsync(1, ct);
        }

        public static bool ExpectsAnswer(JsonElement expected) =>
            AnswerMembers.Any(member => expected.TryGetProperty(member, out _));

        /// <summary>An expectation with any of these describes an answer; one with none expects no message.</summary>
        private static readonly string[] AnswerMembers = ["code", "result", "text", "textLength", "toolError", "id"];

        /// <summary>Sends the case; returns the HTTP status (HTTP targets) and the JSON-RPC answer, if there is one.</summary>
        internal async Task<(HttpStatusCode? Status, JsonElement? Answer)> SendAsync(string target, HostileCase hostile, JsonElement expected, CancellationToken cancellationToken)
        {
            switch (target)
            {
                case "worker":
                    return await PostAsync(RawMcp.Post(WorkerMcp(), hostile.Body), hostile, cancellationToken);
                case "session":
                    var request = RawMcp.Post(FrontEndMcp(), hostile.Body);
                    if (!hostile.IsInitialize)
                    {
                        request.Headers.Add("Mcp-Session-Id", _sessionId);
                        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
                    }

                    return await PostAsync(request, hostile, cancellationToken);
                case "legacy":
                    var (status, body) = await PostAsync(RawMcp.Post(_legacy.MessageEndpoint, hostile.Body), hostile, cancellationToken);
                    if (status != HttpStatusCode.Accepted)
                    {
                        return (status, body);
                    }

                    return (status, (await ProbeLegacyAsync(ExpectsAnswer(expected), echo: false, cancellationToken)).Other);
                default:
                    await _sidecar.SendBytesAsync(hostile.Body);
                    return (null, (await ProbeSidecarAsync(ExpectsAnswer(expected), echo: false, cancellationToken)).Other);
            }
        }

        /// <summary>The next good request on the same target is served.</summary>
        internal async Task AssertServesAsync(string target, CancellationToken cancellationToken)
        {
            var call = RawMcp.ToolCall(900, "echo", """{"message":"next"}""");
            var (answer, stray) = target switch
            {
                "worker" => ((await PostAsync(RawMcp.Post(WorkerMcp(), call), null, cancellationToken)).Answer, null),
                "session" => ((await PostAsync(RawMcp.PostInSession(FrontEndMcp(), call, _sessionId), null, cancellationToken)).Answer, null),
                "legacy" => await ProbeLegacyAsync(false, echo: true, cancellationToken),
                _ => await ProbeSidecarAsync(false, echo: true, cancellationToken),
            };
            Assert.True(stray is null, $"[{target}] an answer nobody asked for: {stray?.GetRawText()}");
            Assert.True(answer is { } a && a.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString() == "next",
                $"[{target}] the next request was not served: {answer?.GetRawText()}");
        }

        private async Task<(HttpStatusCode? Status, JsonElement? Answer)> PostAsync(HttpRequestMessage request, HostileCase? hostile, CancellationToken cancellationToken)
        {
            foreach (var (name, value) in hostile?.Headers ?? new Dictionary<string, string>())
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using (request)
            using (var response = await _http.SendAsync(request, cancellationToken))
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (text.Length == 0 || response.StatusCode == HttpStatusCode.Accepted)
                {
                    return (response.StatusCode, null);
                }

                var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
                    ? text.Split('\n').Select(line => line.TrimEnd('\r')).Last(line => line.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..]
                    : text;
                return (response.StatusCode, JsonDocument.Parse(json).RootElement.Clone());
            }
        }

        /// <summary>
        /// Sends a ping (or an echo) with an id of its own and reads messages until its answer; returns it and the one
        /// other answer seen on the way (waiting for it when <paramref name="waitForAnswer"/>), and fails on any further one.
        /// Requests run concurrently, so the case's answer may come before or after the probe's.
        /// </summary>
        private Task<(JsonElement? Probe, JsonElement? Other)> ProbeLegacyAsync(bool waitForAnswer, bool echo, CancellationToken cancellationToken) =>
            ProbeAsync(_legacy.PostAsync, _legacy.ReadMessageAsync, waitForAnswer, echo, cancellationToken);

        private Task<(JsonElement? Probe, JsonElement? Other)> ProbeSidecarAsync(bool waitForAnswer, bool echo, CancellationToken cancellationToken) =>
            ProbeAsync((line, _) => _sidecar.SendAsync(line), ct => _sidecar.ReadAsync(ct, TimeSpan.FromSeconds(30)), waitForAnswer, echo, cancellationToken);

        private async Task<(JsonElement? Probe, JsonElement? Other)> ProbeAsync(
            Func<string, CancellationToken, Task> send, Func<CancellationToken, Task<JsonElement>> read, bool waitForAnswer, bool echo, CancellationToken cancellationToken)
        {
            var probe = $"probe-{++_probes}";
            await send(echo
                ? $$$$"""{"jsonrpc":"2.0","id":"{{{{probe}}}}","method":"tools/call","params":{"name":"echo","arguments":{"message":"next"}}}"""
                : $$"""{"jsonrpc":"2.0","id":"{{probe}}","method":"ping"}""", cancellationToken);
            JsonElement? other = null, probed = null;
            while (probed is null || (waitForAnswer && other is null))
            {
                var message = await read(cancellationToken);
                if (message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == probe)
                {
                    probed = message;
                }
                else if (!message.TryGetProperty("method", out _))
                {
                    Assert.True(other is null, $"two answers to one message: {other?.GetRawText()} and {message.GetRawText()}");
                    other = message;
                }
            }

            return (probed, other);
        }

        public override async ValueTask DisposeAsync()
        {
            await _sidecar.DisposeAsync();
            await _legacy.DisposeAsync();
            _http.Dispose();
            await base.DisposeAsync();
        }
    }
}
