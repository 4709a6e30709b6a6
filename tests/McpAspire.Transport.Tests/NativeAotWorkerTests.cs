using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// The worker published as Native AOT (the README's command) serves what the framework-dependent worker serves, as
/// deployed: Production over HTTPS, API keys and bearer tokens, the security edge, the access log, OTLP export, two
/// replicas on one Redis. Where trimming and no JIT would break it: a request state another replica sealed, opened by a
/// fresh replica on its first client call; the shared limiter's and the stores' Redis scripts; the tool schemas; listen
/// streams and tasks.
/// </summary>
public sealed class NativeAotWorkerTests(NativeAotWorkerTests.Workers workers) : IClassFixture<NativeAotWorkerTests.Workers>
{
    private const string WithTasks = """{"elicitation":{},"extensions":{"io.modelcontextprotocol/tasks":{}}}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FirstClientCallAfterStart_IsASealedSecondRound_ThatAnotherReplicaSealed()
    {
        var (a, _) = await workers.PairAsync(Ct);
        // A principal of its own, whose notes are these two.
        using var http = workers.Client(null);
        http.DefaultRequestHeaders.Authorization = new("Bearer", workers.Issuer.Mint($"first-call-{Guid.NewGuid():N}", "*"));
        await SendAsync(http, ModernMcp.ToolCall(Mcp(a), 1, "notes_put", """{"name":"first-call-1","content":"x"}""", capabilities: "{}"));
        await SendAsync(http, ModernMcp.ToolCall(Mcp(a), 2, "notes_put", """{"name":"first-call-2","content":"y"}""", capabilities: "{}"));
        var asked = await SendAsync(http, ModernMcp.ToolCall(Mcp(a), 3, "notes_clear"));
        Assert.Equal("input_required", asked.ResultType());

        await using var fresh = await workers.StartAsync("aot-fresh", Ct);
        var done = await SendAsync(http, ModernMcp.ToolCall(Mcp(fresh), 4, "notes_clear",
            inputResponses: ModernMcp.Accept("confirm", """{"confirm":true}"""), requestState: asked.RequestState()));

        Assert.Equal("complete", done.ResultType());
        Assert.Equal("Deleted 2 note(s).", done.ToolText());
    }

    [Fact]
    public async Task ToolsAndSchemas_AreTheFrameworkDependentWorkers()
    {
        var (a, _) = await workers.PairAsync(Ct);
        using var http = workers.Client(SecuredHostsFixture.FullKey);

        var native = await ListToolsAsync(http, Mcp(a));
        var jit = await ListToolsAsync(http, Mcp(workers.Jit));

        Assert.Equal(jit, native);
        Assert.Contains("notes_clear", native, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotesAndTheRateLimit_AreSharedThroughRedis_WithTheJitWorker()
    {
        var (a, b) = await workers.PairAsync(Ct);
        using var full = workers.Client(SecuredHostsFixture.FullKey);
        var name = $"aot-{Guid.NewGuid():N}"[..16];

        await SendAsync(full, ModernMcp.ToolCall(Mcp(a), 1, "notes_put", $$"""{"name":"{{name}}","content":"from native code"}""", capabilities: "{}"));
        Assert.Contains("from native code", (await SendAsync(full, ModernMcp.ToolCall(Mcp(workers.Jit), 2, "notes_get", $$"""{"name":"{{name}}"}""", capabilities: "{}"))).ToolText(), StringComparison.Ordinal);

        // whoami: WhoAmILimit calls per window for this principal, counted in Redis whichever replica serves them.
        using var echoOnly = workers.Client(SecuredHostsFixture.EchoOnlyKey);
        var served = new[] { a, b, workers.Jit };
        for (var i = 0; i < Workers.WhoAmILimit; i++)
        {
            Assert.Contains("\"principal\":\"apikey:echo-only\"", (await SendAsync(echoOnly, ModernMcp.ToolCall(Mcp(served[i % 3]), 10 + i, "whoami", capabilities: "{}"))).ToolText(), StringComparison.Ordinal);
        }

        using var refused = await echoOnly.SendAsync(ModernMcp.ToolCall(Mcp(b), 20, "whoami", capabilities: "{}"), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(-32029, (await RawMcp.ReadMessageAsync(refused, Ct)).ErrorCode());
    }

    [Fact]
    public async Task Credentials_AndTheEdge_AreChecked_AndTheCallsAreLoggedAndExported()
    {
        var (a, _) = await workers.PairAsync(Ct);
        using var anonymous = workers.Client(null);
        using var wrongKey = workers.Client("not-a-key");
        using var bearer = workers.Client(null);
        bearer.DefaultRequestHeaders.Authorization = new("Bearer", workers.Issuer.Mint("carol", "echo whoami"));
        using var full = workers.Client(SecuredHostsFixture.FullKey);

        using (var none = await anonymous.SendAsync(ModernMcp.ToolCall(Mcp(a), 1, "echo", """{"message":"hi"}""", capabilities: "{}"), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Contains("resource_metadata=", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using (var wrong = await wrongKey.SendAsync(ModernMcp.ToolCall(Mcp(a), 2, "echo", """{"message":"hi"}""", capabilities: "{}"), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        Assert.Contains("\"principal\":\"carol\"", (await SendAsync(bearer, ModernMcp.ToolCall(Mcp(a), 3, "whoami", capabilities: "{}"))).ToolText(), StringComparison.Ordinal);
        using (var outOfScope = await bearer.SendAsync(ModernMcp.ToolCall(Mcp(a), 4, "notes_list", capabilities: "{}"), Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, outOfScope.StatusCode);
        }

        var fromElsewhere = ModernMcp.ToolCall(Mcp(a), 5, "echo", """{"message":"hi"}""", capabilities: "{}");
        fromElsewhere.Headers.Add("Origin", "https://evil.example");
        using (var rebinding = await full.SendAsync(fromElsewhere, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, rebinding.StatusCode);
        }

        using (var health = await anonymous.GetAsync(new Uri(SecuredHostsFixture.Address(a, "http"), "/health"), Ct))
        {
            Assert.Equal("Healthy", await health.Content.ReadAsStringAsync(Ct));
        }

        await Until.TrueAsync(() => workers.AccessLog("aot-a").Contains("\"Principal\":\"carol\"", StringComparison.Ordinal) &&
            workers.AccessLog("aot-a").Contains("\"Refusal\":\"origin\"", StringComparison.Ordinal), () => $"carol's call and the Origin refusal in the access log:{Environment.NewLine}{workers.AccessLog("aot-a")}", Ct);
        await Until.TrueAsync(() => workers.Otlp.Summary().Contains("/v1/traces", StringComparison.Ordinal), () => $"traces exported (so far: {workers.Otlp.Summary()})", Ct);
    }

    [Fact]
    public async Task ListenStream_OnOneReplica_HearsANoteWrittenOnTheOther()
    {
        var (a, b) = await workers.PairAsync(Ct);
        using var http = workers.Client(SecuredHostsFixture.FullKey);
        var name = $"heard-{Guid.NewGuid():N}"[..18];
        using var listen = new SseReader(await http.SendAsync(ModernMcp.Listen(Mcp(a), 7, [$"note://{name}"], listChanged: false), HttpCompletionOption.ResponseHeadersRead, Ct));
        Assert.Equal("notifications/subscriptions/acknowledged", (await listen.ReadMessageAsync(Ct)).GetProperty("method").GetString());

        await SendAsync(http, ModernMcp.ToolCall(Mcp(b), 8, "notes_put", $$"""{"name":"{{name}}","content":"heard"}""", capabilities: "{}"));

        var heard = await listen.ReadMessageAsync(Ct);
        Assert.Equal("notifications/resources/updated", heard.GetProperty("method").GetString());
        Assert.Equal($"note://{name}", heard.GetProperty("params").GetProperty("uri").GetString());
    }

    [Fact]
    public async Task Task_StartedOnOneReplica_IsFollowedToItsResultOnTheOther()
    {
        var (a, b) = await workers.PairAsync(Ct);
        using var http = workers.Client(SecuredHostsFixture.FullKey);

        var started = await SendAsync(http, ModernMcp.ToolCall(Mcp(a), 1, "long_running", """{"steps":2,"delayMs":200}""", WithTasks));
        Assert.Equal("task", started.ResultType());
        var id = started.GetProperty("result").GetProperty("taskId").GetString()!;
        var done = await Until.ValueAsync(async () =>
            {
                var parameters = new JsonObject { ["taskId"] = id, ["_meta"] = ModernMcp.Meta(WithTasks) };
                return (await SendAsync(http, ModernMcp.Request(Mcp(b), 2, "tasks/get", id, parameters))).GetProperty("result");
            },
            task => task.GetProperty("status").GetString() == "completed", task => $"task {id} to complete: {task.GetRawText()}", Ct, TimeSpan.FromSeconds(20));

        Assert.Equal("Completed 2 steps.", done.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    private static Uri Mcp(HostProcess host) => new(SecuredHostsFixture.Address(host, "https"), "/mcp");

    private static async Task<string> ListToolsAsync(HttpClient http, Uri mcp)
    {
        var tools = (await SendAsync(http, ModernMcp.Request(mcp, 1, "tools/list", null, new JsonObject { ["_meta"] = ModernMcp.Meta("{}") })))
            .GetProperty("result").GetProperty("tools").EnumerateArray().Select(tool => tool.GetRawText()).Order(StringComparer.Ordinal);
        return string.Join(Environment.NewLine, tools);
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (var response = await http.SendAsync(request, Ct))
        {
            if (response.Content.Headers.ContentLength == 0)
            {
                throw new InvalidOperationException($"HTTP {(int)response.StatusCode} with no body");
            }

            var answer = await RawMcp.ReadMessageAsync(response, Ct);
            return answer.TryGetProperty("result", out _) ? answer : throw new InvalidOperationException($"{(int)response.StatusCode}: {answer.GetRawText()}");
        }
    }

    /// <summary>
    /// Two Native AOT workers (<c>aot-a</c>, <c>aot-b</c>) and one framework-dependent worker on the embedded Garnet cache,
    /// each as deployed (<see cref="SecuredHostsFixture.Secured"/>), exporting to an OTLP sink; further AOT replicas start on demand.
    /// Nothing starts where Native AOT cannot link, and the tests are skipped.
    /// </summary>
    public sealed class Workers : IAsyncLifetime
    {
        public const int WhoAmILimit = 4;

        private readonly NativeAotExecutable _worker = new(PublishedProject.Worker);
        private readonly DirectoryInfo _logs = Directory.CreateTempSubdirectory("mcpaspire-aot-");
        private readonly List<HostProcess> _processes = [];
        private readonly Dictionary<string, string> _environment = [];
        private HostProcess? _a, _b;

        public TestCertificates Certificates { get; } = new();

        public OtlpSink Otlp { get; } = new();

        public TokenIssuer Issuer { get; private set; } = null!;

        public HostProcess Jit { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            if (!_worker.Available)
            {
                return;
            }

            var ct = TestContext.Current.CancellationToken;
            Issuer = await TokenIssuer.StartAsync(ct);
            var port = LoopbackPort.Free();
            _processes.Add(await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.Cache"), null, "Garnet listening on", [$"--Cache:Port={port}"], ct));
            foreach (var (key, value) in Otlp.Environment())
            {
                _environment[key] = value;
            }

            _environment["ConnectionStrings__cache"] = $"127.0.0.1:{port}";
            _environment["McpAspire__State__KeyPrefix"] = $"n{Guid.NewGuid():N}"[..16];
            _environment["McpAspire__State__OperationTimeout"] = "00:00:10";
            _environment["McpAspire__RateLimiting__Tools__whoami"] = WhoAmILimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var jit = StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), "jit", ct);
            var a = StartAsync(await _worker.PathAsync(ct), "aot-a", ct);
            var b = StartAsync(await _worker.PathAsync(ct), "aot-b", ct);
            Jit = await jit;
            _a = await a;
            _b = await b;
            _processes.AddRange([Jit, _a, _b]);
        }

        /// <summary>The two AOT replicas; the calling test is skipped where Native AOT cannot link.</summary>
        public async Task<(HostProcess A, HostProcess B)> PairAsync(CancellationToken cancellationToken)
        {
            await _worker.PathAsync(cancellationToken);
            return (_a!, _b!);
        }

        /// <summary>One more AOT replica with the same settings, ready (warm) when returned; the caller stops it.</summary>
        public async Task<HostProcess> StartAsync(string instanceId, CancellationToken cancellationToken) =>
            await StartAsync(await _worker.PathAsync(cancellationToken), instanceId, cancellationToken);

        /// <summary>An HTTP client that trusts the test authority and sends <paramref name="apiKey"/>, if any.</summary>
        public HttpClient Client(string? apiKey)
        {
            var http = Certificates.Client();
            if (apiKey is not null)
            {
                http.DefaultRequestHeaders.Add("X-API-Key", apiKey);
            }

            return http;
        }

        /// <summary>The whole lines of one replica's access log so far.</summary>
        public string AccessLog(string instanceId) => SecuredHostsFixture.WholeLines(_logs.GetFiles(instanceId + "*.log"));

        private async Task<HostProcess> StartAsync(string host, string instanceId, CancellationToken cancellationToken)
        {
            var environment = new Dictionary<string, string>(_environment) { ["McpAspire__InstanceId"] = instanceId };
            foreach (var (key, value) in SecuredHostsFixture.Secured(Certificates, Issuer, Path.Combine(_logs.FullName, instanceId + ".log")))
            {
                environment[key] = value;
            }

            var process = await HostProcess.StartAsync(host, environment, cancellationToken, "--urls", "https://127.0.0.1:0;http://127.0.0.1:0");
            await process.WaitUntilReadyAsync(cancellationToken);
            return process;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var process in Enumerable.Reverse(_processes))
            {
                await process.DisposeAsync();
            }

            if (Issuer is not null)
            {
                await Issuer.DisposeAsync();
            }

            Otlp.Dispose();
            Certificates.Dispose();
            _worker.Dispose();
            _logs.Delete(recursive: true);
        }
    }
}

/// <summary>The 2026-07-28 conformance set through two Native AOT conformance hosts (the worker's composition plus the suite's fixtures) behind the round-robin balancer.</summary>
public sealed class NativeAotConformanceTests(NativeAotConformanceTests.Replicas replicas) : IClassFixture<NativeAotConformanceTests.Replicas>
{
    [Fact]
    public async Task Requirements2026_07_28_ThroughTwoNativeAotReplicasBehindARoundRobinBalancer_EveryScenarioPasses()
    {
        await replicas.Host.PathAsync(TestContext.Current.CancellationToken);
        await ConformanceTests.AssertRequirements2026Async(replicas.Balancer!);
    }

    /// <summary>Two Native AOT conformance hosts on the embedded Garnet cache behind <see cref="RoundRobinProxy"/>; nothing where Native AOT cannot link.</summary>
    public sealed class Replicas : IAsyncLifetime
    {
        private readonly List<HostProcess> _processes = [];

        public NativeAotExecutable Host { get; } = new(PublishedProject.ConformanceHost);

        public RoundRobinProxy? Balancer { get; private set; }

        public async ValueTask InitializeAsync()
        {
            if (!Host.Available)
            {
                return;
            }

            var ct = TestContext.Current.CancellationToken;
            var install = NodeTooling.EnsureInstalledAsync(ct);
            Balancer = await ConformanceTests.ConformanceHosts.StartStatelessPairAsync(await Host.PathAsync(ct), _processes, ct);
            await ConformanceTests.ConformanceHosts.WarmUpAsync(new Uri(Balancer.BaseUri, "/mcp"), ct);
            await install;
        }

        public async ValueTask DisposeAsync()
        {
            if (Balancer is not null)
            {
                await Balancer.DisposeAsync();
            }

            foreach (var process in Enumerable.Reverse(_processes))
            {
                await process.DisposeAsync();
            }

            Host.Dispose();
        }
    }
}
