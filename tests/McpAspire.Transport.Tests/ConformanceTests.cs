using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// The official MCP conformance suite, at each revision's frozen requirement set, against the product's server
/// composition: the 2026-07-28 set through two stateless replicas on one Redis behind a load balancer that sends every
/// request to the next replica (so every second round of a multi round-trip request meets the replica that did not seal
/// its state, and every poll of a task meets the other replica), with the tasks extension's scenarios, and the
/// 2025-11-25 set on the stateful composition. Its scenarios call fixture tools by name, which the
/// test-only ConformanceHost adds to the same composition the SSE front-end and worker use.
/// </summary>
public sealed class ConformanceTests(HostsFixture hosts, ConformanceTests.ConformanceHosts conformance) : IClassFixture<ConformanceTests.ConformanceHosts>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public Task Requirements2026_07_28_ThroughTwoStatelessReplicasBehindARoundRobinBalancer_EveryScenarioPasses() =>
        AssertRequirements2026Async(conformance.Balancer);

    /// <summary>The 2026-07-28 set, with the tasks extension's scenarios, through <paramref name="balancer"/>: every scenario passes and both replicas served.</summary>
    internal static async Task AssertRequirements2026Async(RoundRobinProxy balancer)
    {
        var (exitCode, scored, notScored, output) = await ConformanceSuite.RunRequirementsAsync(new Uri(balancer.BaseUri, "/mcp"), "2026-07-28", Ct);

        TestContext.Current.SendDiagnosticMessage(output);
        Assert.True(scored.Count == 37, $"{scored.Count} scored scenarios ran, not 37:{Environment.NewLine}{output}");
        Assert.True(!scored.Any(s => s.Value > 0), $"Failed: {string.Join(", ", scored.Where(s => s.Value > 0).Select(s => s.Key))}{Environment.NewLine}{output}");
        Assert.True(exitCode == 0, output);
        // The tasks extension is not scored for the revision; the product serves it, so every one of its scenarios passes too.
        var tasks = notScored.Where(s => s.Key.StartsWith("tasks-", StringComparison.Ordinal)).ToList();
        Assert.True(tasks.Count == 10, $"{tasks.Count} tasks-* scenarios ran, not 10:{Environment.NewLine}{output}");
        Assert.True(!tasks.Any(s => s.Value > 0), $"Failed: {string.Join(", ", tasks.Where(s => s.Value > 0).Select(s => s.Key))}{Environment.NewLine}{output}");
        Assert.All(balancer.RequestsPerReplica.Values, requests => Assert.True(requests >= 20, $"only {requests} requests reached a replica"));
    }

    [Fact]
    public async Task Requirements2025_11_25_OnTheStatefulComposition_EveryScenarioPasses()
    {
        var (exitCode, scored, _, output) = await ConformanceSuite.RunRequirementsAsync(new Uri(conformance.Stateful.BaseUri, "/mcp"), "2025-11-25", Ct);

        TestContext.Current.SendDiagnosticMessage(output);
        Assert.True(scored.Count == 30, $"{scored.Count} scored scenarios ran, not 30:{Environment.NewLine}{output}");
        Assert.True(!scored.Any(s => s.Value > 0), $"Failed: {string.Join(", ", scored.Where(s => s.Value > 0).Select(s => s.Key))}{Environment.NewLine}{output}");
        Assert.True(exitCode == 0, output);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ProductHosts_PassDnsRebindingProtection(bool frontEnd)
    {
        var uri = new Uri(frontEnd ? hosts.FrontEndUri : hosts.WorkerUri, "/mcp");

        var (failures, output) = await ConformanceSuite.RunAsync(uri, Ct, "dns-rebinding-protection");

        Assert.True(failures.TryGetValue("dns-rebinding-protection", out var failed), output);
        Assert.Equal(0, failed);
        // Checks ran: "no check failed" is not "no check".
        Assert.Matches(@"Passed: [1-9]\d*/[1-9]\d*, 0 failed", output);
    }

    /// <summary>
    /// The conformance host, each a real process on a loopback port: stateful on its own (scaled out as the front-end
    /// is, on its own embedded Garnet), and two stateless replicas on the embedded Garnet cache behind
    /// <see cref="RoundRobinProxy"/>.
    /// </summary>
    public sealed class ConformanceHosts : IAsyncLifetime
    {
        private readonly List<HostProcess> _processes = [];
        private readonly GarnetRedisServer _statefulCache = new();

        internal HostProcess Stateful { get; private set; } = null!;

        internal RoundRobinProxy Balancer { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var dll = RepoLayout.ProjectDll("McpAspire.ConformanceHost", folder: "tests");
            var ct = TestContext.Current.CancellationToken;
            var install = NodeTooling.EnsureInstalledAsync(ct);
            await _statefulCache.InitializeAsync();
            var stateful = HostProcess.StartAsync(dll, new Dictionary<string, string> { ["ConnectionStrings__cache"] = _statefulCache.ConnectionString }, ct);
            Balancer = await StartStatelessPairAsync(dll, _processes, ct);
            _processes.Add(Stateful = await stateful);
            await WarmUpAsync(new Uri(Balancer.BaseUri, "/mcp"), ct);
            await install;
        }

        /// <summary>
        /// Starts the embedded Garnet cache and two stateless replicas of <paramref name="host"/> (a built assembly or a
        /// native executable) on it, behind a round-robin balancer; each process started is added to <paramref name="processes"/>.
        /// </summary>
        internal static async Task<RoundRobinProxy> StartStatelessPairAsync(string host, List<HostProcess> processes, CancellationToken cancellationToken)
        {
            var port = LoopbackPort.Free();
            processes.Add(await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.Cache"), null, "Garnet listening on", [$"--Cache:Port={port}"], cancellationToken));
            var shared = new Dictionary<string, string>
            {
                ["ConnectionStrings__cache"] = $"127.0.0.1:{port}",
                ["McpAspire__State__KeyPrefix"] = $"c{Guid.NewGuid():N}"[..16],
                ["McpAspire__State__OperationTimeout"] = "00:00:10",
            };
            var replicas = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => HostProcess.StartAsync(host, shared, cancellationToken, "--Conformance:Mode=Stateless")));
            processes.AddRange(replicas);
            return await RoundRobinProxy.StartAsync([.. replicas.Select(p => p.BaseUri)], cancellationToken);
        }

        /// <summary>
        /// The requests of the suite's timed checks (a first frame within 600 ms), a few times through the balancer, so
        /// they meet warm code on both replicas and in the balancer, as a deployed service's clients do.
        /// </summary>
        internal static async Task WarmUpAsync(Uri mcp, CancellationToken cancellationToken)
        {
            using var http = new HttpClient();
            for (var round = 0; round < 4; round++)
            {
                var id = round * 10;
                foreach (var request in new[]
                {
                    ModernMcp.Request(mcp, id + 1, "server/discover", null, new System.Text.Json.Nodes.JsonObject { ["_meta"] = ModernMcp.Meta("{}") }),
                    ModernMcp.Request(mcp, id + 2, "tools/list", null, new System.Text.Json.Nodes.JsonObject { ["_meta"] = ModernMcp.Meta("{}") }),
                    ModernMcp.ToolCall(mcp, id + 3, "test_streaming_elicitation", capabilities: """{"elicitation":{}}"""),
                    ModernMcp.ToolCall(mcp, id + 4, "test_logging_tool", capabilities: "{}"),
                    ModernMcp.ToolCall(mcp, id + 5, "test_missing_capability", capabilities: "{}"),
                })
                {
                    using (request)
                    using (var response = await http.SendAsync(request, cancellationToken))
                    {
                        await response.Content.ReadAsStringAsync(cancellationToken);
                    }
                }

                // A listen stream, up to its acknowledgement (the suite times its first frame too), then closed.
                using var listenRequest = ModernMcp.Listen(mcp, id + 6, ["test://warm-up"], listChanged: true);
                using var listen = new SseReader(await http.SendAsync(listenRequest, HttpCompletionOption.ResponseHeadersRead, cancellationToken));
                await listen.ReadMessageAsync(cancellationToken);
            }
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

            await _statefulCache.DisposeAsync();
        }
    }
}
