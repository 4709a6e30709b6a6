using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpAspire.Reliability.Tests.Infrastructure;
using McpAspire.Testing;

namespace McpAspire.Reliability.Tests;

/// <summary>
/// What an operator reads: a worker and a front-end in Production settings (an API key, the key ring encrypted with a
/// certificate) take a mixed workload of good calls and every kind of client mistake, and their whole output holds no
/// Warning, Error or stack trace; each refusal has its access-log line naming why. Then Redis pauses: each host logs
/// one Error naming the cause, and its recovery once; a platform probing <c>/health</c> all along reads Degraded, and
/// the health check says so once, not at every probe.
/// </summary>
public sealed class WholeLogTests(WholeLogTests.Hosts hosts) : IClassFixture<WholeLogTests.Hosts>
{
    private const string Key = "mcpaspire-whole-log-key-5c2e81d0";
    private const int AddLimit = 2;
    private const string Confirmed = """{"confirm":true}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MixedWorkload_LeavesNoWarningErrorOrStack_EachRefusalHasItsReason_ThenARedisPauseIsOneErrorAndOneRecovery()
    {
        Assert.SkipWhen(hosts.Server.Missing is not null, hosts.Server.Missing ?? "");
        var worker = hosts.Workers[0];
        var frontEnd = hosts.FrontEnds[0];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-API-Key", Key);

        // The worker, at the 2026-07-28 wire.
        var mcp = hosts.WorkerMcp();
        Assert.Equal("hi", Text(await SendAsync(http, ModernMcp.ToolCall(mcp, 1, "echo", """{"message":"hi"}"""))));
        await SendAsync(http, ModernMcp.ToolCall(mcp, 2, "notes_put", """{"name":"kept","content":"a note"}"""));
        Assert.True(await IsToolErrorAsync(http, ModernMcp.ToolCall(mcp, 3, "notes_get", """{"name":"no-such-note"}""")));
        Assert.StartsWith("Invalid arguments for tool 'echo'", Text(await SendAsync(http, ModernMcp.ToolCall(mcp, 4, "echo", """{"mesrage":"hi"}"""))), StringComparison.Ordinal);
        var sealedState = (await SendAsync(http, ModernMcp.ToolCall(mcp, 5, "notes_clear"))).RequestState();
        var tampered = string.Concat(sealedState.AsSpan(0, sealedState.Length / 2), sealedState[sealedState.Length / 2] == 'A' ? "B" : "A", sealedState.AsSpan(sealedState.Length / 2 + 1));
        Assert.Equal("invalid", (await SendAsync(http, ModernMcp.ToolCall(mcp, 6, "notes_clear", inputResponses: ModernMcp.Accept("confirm", Confirmed), requestState: tampered))).Reason());
        Assert.Equal("other-request", (await SendAsync(http, ModernMcp.ToolCall(mcp, 7, "notes_summarize", inputResponses: ModernMcp.Accept("confirm", Confirmed), requestState: sealedState))).Reason());
        Assert.Equal("complete", (await SendAsync(http, ModernMcp.ToolCall(mcp, 8, "notes_clear", inputResponses: ModernMcp.Accept("confirm", Confirmed), requestState: sealedState))).ResultType());
        Assert.Equal("already-used", (await SendAsync(http, ModernMcp.ToolCall(mcp, 9, "notes_clear", inputResponses: ModernMcp.Accept("confirm", Confirmed), requestState: sealedState))).Reason());
        Assert.Equal(-32021, (await SendAsync(http, ModernMcp.Request(mcp, 10, "tasks/get", "some-task", new JsonObject { ["taskId"] = "some-task", ["_meta"] = ModernMcp.Meta("{}") }))).ErrorCode());
        var adds = new List<JsonElement>();
        for (var i = 0; i < AddLimit + 2; i++)
        {
            adds.Add(await SendAsync(http, ModernMcp.ToolCall(mcp, 20 + i, "add", """{"a":1,"b":2}""")));
        }

        Assert.Equal(2, adds.Count(a => a.TryGetProperty("error", out var e) && e.GetProperty("code").GetInt32() == -32029));

        // The front-end: a session, an unknown session, the same mistakes.
        var session = await RawMcp.OpenSessionAsync(http, hosts.FrontEndMcp(), Ct);
        Assert.Equal("hi", Text(await SendAsync(http, RawMcp.PostInSession(hosts.FrontEndMcp(), RawMcp.ToolCall(1, "echo", """{"message":"hi"}"""), session))));
        Assert.True(await IsToolErrorAsync(http, RawMcp.PostInSession(hosts.FrontEndMcp(), RawMcp.ToolCall(2, "notes_get", """{"name":"no-such-note"}"""), session)));
        Assert.Equal(-32029, (await SendAsync(http, RawMcp.PostInSession(hosts.FrontEndMcp(), RawMcp.ToolCall(3, "add", """{"a":1,"b":2}"""), session))).ErrorCode());
        using (var unknown = await http.SendAsync(RawMcp.PostInSession(hosts.FrontEndMcp(), RawMcp.ToolCall(4, "echo", """{"message":"hi"}"""), "no-such-session"), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        // The hostile corpus, on both.
        foreach (var name in HostileCorpus.Names)
        {
            var hostile = HostileCorpus.Get(name);
            if (hostile.ExpectationFor("worker") is not null)
            {
                await PostAsync(http, RawMcp.Post(mcp, hostile.Body), hostile);
            }

            if (hostile.ExpectationFor("session") is not null)
            {
                var request = RawMcp.Post(hosts.FrontEndMcp(), hostile.Body);
                if (!hostile.IsInitialize)
                {
                    request.Headers.Add("Mcp-Session-Id", session);
                    request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
                }

                await PostAsync(http, request, hostile);
            }
        }

        string[] workerRefusals =
        [
            "tool=notes_get refused=tool-error ",
            "tool=echo refused=tool-argument ",
            "tool=notes_clear refused=request-state:invalid(-32602) ",
            "tool=notes_summarize refused=request-state:other-request(-32602) ",
            "tool=notes_clear refused=request-state:already-used(-32602) ",
            "method=tasks/get tool= refused=missing-capability(-32021) ",
            "tool=add refused=rate-limit(-32029) ",
        ];
        string[] frontEndRefusals =
        [
            "tool=notes_get refused=tool-error ",
            "tool=add refused=rate-limit(-32029) ",
            "POST /mcp 404 ",
            "refused=unknown-session ",
        ];
        // The whole output, the start included.
        AssertQuiet(worker, workerRefusals);
        AssertQuiet(frontEnd, frontEndRefusals);

        // Redis pauses: calls that need it fail, each host's breaker opens (once the successes before the pause have left
        // its sampling window) and says so once, and closes once Redis answers again.
        var paused = (worker.Output.Length, frontEnd.Output.Length);
        var outage = new List<string>();
        var probes = new List<string>();
        hosts.Cache.Pause();
        try
        {
            var id = 40;
            await Until.ValueAsync(
                async () =>
                {
                    outage.Add(Text(await SendAsync(http, ModernMcp.ToolCall(mcp, id++, "notes_get", """{"name":"kept"}"""))));
                    outage.Add(Text(await SendAsync(http, RawMcp.PostInSession(hosts.FrontEndMcp(), RawMcp.ToolCall(id++, "notes_get", """{"name":"kept"}"""), session))));
                    // A platform's probes, as every few seconds while Redis is away.
                    probes.Add(await worker.HealthAsync(http, Ct));
                    probes.Add(await frontEnd.HealthAsync(http, Ct));
                    return new[] { worker.Output[paused.Item1..], frontEnd.Output[paused.Item2..] };
                },
                outputs => outputs.All(output => output.Contains("Redis cannot be reached", StringComparison.Ordinal)),
                outputs => $"both hosts to report Redis unreachable; the calls were answered {string.Join(" | ", outage.Distinct())}:{Environment.NewLine}{string.Join(Environment.NewLine, outputs)}",
                Ct, TimeSpan.FromSeconds(60));
            Assert.All(outage, answer => Assert.Contains("the shared state store (Redis)", answer, StringComparison.Ordinal));
            // The last probes ran after both breakers had opened: the check is Degraded then.
            Assert.Equal(["Degraded", "Degraded"], probes[^2..]);
        }
        finally
        {
            hosts.Cache.Resume();
        }

        await Until.ValueAsync(() => IsToolErrorAsync(http, ModernMcp.ToolCall(mcp, 100, "notes_put", """{"name":"after","content":"x"}""")),
            failed => !failed, _ => "the worker to write again", Ct, TimeSpan.FromSeconds(30));
        await Until.ValueAsync(() => IsToolErrorAsync(http, RawMcp.PostInSession(hosts.FrontEndMcp(), RawMcp.ToolCall(100, "notes_put", """{"name":"after","content":"x"}"""), session)),
            failed => !failed, _ => "the front-end to write again", Ct, TimeSpan.FromSeconds(30));
        foreach (var (host, from) in new[] { (worker, paused.Item1), (frontEnd, paused.Item2) })
        {
            var lines = await Until.ValueAsync(() => Task.FromResult(Lines(host, from)), l => l.Any(line => line.Contains("Redis is reachable again", StringComparison.Ordinal)),
                l => $"the recovery to be logged:{Environment.NewLine}{string.Join(Environment.NewLine, l)}", Ct);
            var errors = lines.Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)).ToList();
            var error = Assert.Single(errors);
            // A paused server times calls out, or its connection is given up on: either way one line, one cause.
            Assert.Matches(@"Redis cannot be reached, so calls to it fail fast for a while: (no answer within 1 s|No connection is active/available to service this operation \(\w+\))$", error);
            Assert.Single(lines, line => line.Contains("Redis is reachable again", StringComparison.Ordinal));
            // A Warning is only a health check saying once that it is Degraded.
            var warnings = lines.Where(line => line.StartsWith("warn:", StringComparison.Ordinal)).ToList();
            var checks = warnings.Select(w => Regex.Match(w, @"\] Health check (\S+) with status Degraded ")).ToList();
            Assert.True(checks.All(check => check.Success) && checks.Select(check => check.Groups[1].Value).Distinct().Count() == checks.Count,
                $"Warnings other than one per health check:{Environment.NewLine}{string.Join(Environment.NewLine, warnings)}");
            Assert.Contains(checks, check => check.Groups[1].Value == "redis-state");
            Assert.DoesNotContain(lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task OnTheSidecar_TheMistakesThatApplyThere_LeaveNoWarningErrorOrStackOnStderr()
    {
        Assert.SkipWhen(hosts.Server.Missing is not null, hosts.Server.Missing ?? "");
        var environment = new Dictionary<string, string>(hosts.Environment) { ["DOTNET_ENVIRONMENT"] = "Production" };
        await using var sidecar = RawSidecar.Start(environment);
        await sidecar.InitializeAsync();
        await sidecar.ReadResponseAsync(1, Ct);

        string[] calls =
        [
            """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}""",
            """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"notes_get","arguments":{"name":"no-such-note"}}}""",
            """{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":{"mesrage":"hi"}}}""",
            """{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":42,"arguments":{}}}""",
            """{"jsonrpc":"2.0","id":6,"method":"no/such/method"}""",
            """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}""",
        ];
        foreach (var call in calls)
        {
            await sidecar.SendAsync(call);
        }

        // Answered in any order; each one, as the client sees it.
        var answers = new Dictionary<int, JsonElement>();
        for (var id = 2; id <= 7; id++)
        {
            answers[id] = await sidecar.ReadResponseAsync(id, Ct);
        }

        Assert.Equal("hi", Text(answers[2]));
        Assert.Contains("No note named 'no-such-note'", Text(answers[3]), StringComparison.Ordinal);
        Assert.StartsWith("Invalid arguments for tool 'echo'", Text(answers[4]), StringComparison.Ordinal);
        Assert.Equal(-32602, answers[5].ErrorCode());
        Assert.Equal(-32601, answers[6].ErrorCode());
        Assert.Equal(-32602, answers[7].ErrorCode());
        for (var i = 0; i < AddLimit + 1; i++)
        {
            await sidecar.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":" + (20 + i).ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"method\":\"tools/call\",\"params\":{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":2}}}");
            var added = await sidecar.ReadResponseAsync(20 + i, Ct);
            Assert.Equal(i < AddLimit, added.TryGetProperty("result", out _));
        }

        // The sidecar still answers (its stderr is read to the last line written before this answer), and wrote nothing loud.
        await sidecar.SendAsync("""{"jsonrpc":"2.0","id":99,"method":"ping"}""");
        await sidecar.ReadResponseAsync(99, Ct);
        var loud = sidecar.Stderr.Where(line => line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal)
            || line.StartsWith("crit:", StringComparison.Ordinal) || line.TrimStart().StartsWith("at ", StringComparison.Ordinal)).ToList();
        Assert.True(loud.Count == 0, $"Warnings, errors or stacks on stderr:{Environment.NewLine}{string.Join(Environment.NewLine, loud)}");
    }

    /// <summary>
    /// The host's whole output: no Warning, Error or Critical line, no stack trace; each of <paramref name="refusals"/>
    /// in the access log; and every access-log line of a 4xx answer, or of a refusal past the edge, names a reason.
    /// </summary>
    private static void AssertQuiet(HostProcess host, string[] refusals)
    {
        var lines = Lines(host, 0);
        var all = string.Join(Environment.NewLine, lines);
        var loud = lines.Where(line => line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal)
            || line.StartsWith("crit:", StringComparison.Ordinal) || line.TrimStart().StartsWith("at ", StringComparison.Ordinal)).ToList();
        Assert.True(loud.Count == 0, $"Warnings, errors or stacks:{Environment.NewLine}{string.Join(Environment.NewLine, loud)}");
        Assert.All(refusals, refusal => Assert.True(lines.Any(line => line.Contains(refusal, StringComparison.Ordinal)), $"no access-log line with '{refusal}':{Environment.NewLine}{all}"));
        var access = lines.Where(line => line.Contains(" refused=", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(access);
        Assert.All(access.Where(line => line.Contains(" /mcp 4", StringComparison.Ordinal)), line => Assert.DoesNotContain(" refused= ", line, StringComparison.Ordinal));
    }

    private static string Text(JsonElement answer) =>
        answer.TryGetProperty("result", out var result) ? result.GetProperty("content")[0].GetProperty("text").GetString()! : answer.GetRawText();

    private static string[] Lines(HostProcess host, int from) => host.Output[from..].Split(Environment.NewLine);

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (var response = await http.SendAsync(request, Ct))
        {
            return await RawMcp.ReadMessageAsync(response, Ct);
        }
    }

    private static async Task<bool> IsToolErrorAsync(HttpClient http, HttpRequestMessage request)
    {
        var answer = await SendAsync(http, request);
        return answer.TryGetProperty("error", out _) || answer.GetProperty("result").TryGetProperty("isError", out var isError) && isError.GetBoolean();
    }

    private static async Task PostAsync(HttpClient http, HttpRequestMessage request, HostileCase hostile)
    {
        foreach (var (name, value) in hostile.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using (request)
        using (var response = await http.SendAsync(request, Ct))
        {
            await response.Content.ReadAsStringAsync(Ct);
        }
    }

    /// <summary>
    /// A worker and a front-end on one Redis, in Production behind a TLS-terminating ingress, with an API key, the key
    /// ring encrypted, a low limit on <c>add</c>.
    /// </summary>
    public sealed class Hosts : Deployment
    {
        private readonly TestCertificates _certificates = new();

        protected override void Configure(Dictionary<string, string> environment)
        {
            environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            // Behind a TLS-terminating ingress, as on Container Apps.
            environment["McpAspire__Security__RequireHttps"] = "false";
            environment["McpAspire__Security__ApiKeys__whole-log__Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)));
            environment["McpAspire__Security__ApiKeys__whole-log__Scopes__0"] = "*";
            environment["McpAspire__State__KeyEncryptionCertificatePath"] = _certificates.ServerCertificatePemPath;
            environment["McpAspire__State__KeyEncryptionPrivateKeyPath"] = _certificates.ServerKeyPemPath;
            environment["McpAspire__State__OperationTimeout"] = "00:00:01";
            environment["McpAspire__RateLimiting__Tools__add"] = AddLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            environment["McpAspire__RateLimiting__Window"] = "00:10:00";
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            _certificates.Dispose();
        }
    }
}
