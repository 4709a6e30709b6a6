using McpAspire.Transport.Tests.Infrastructure;

namespace McpAspire.Transport.Tests;

/// <summary>
/// The official MCP conformance suite against the product's server composition. Its scenarios call fixture tools by
/// name, which the test-only ConformanceHost adds to the same composition the SSE front-end and worker use.
/// </summary>
public sealed class ConformanceTests(HostsFixture hosts, ConformanceTests.ConformanceHosts conformance) : IClassFixture<ConformanceTests.ConformanceHosts>
{
    /// <summary>What stateless Streamable HTTP cannot do: requests back to the client, and anything kept per session.</summary>
    private static readonly string[] ExpectedStatelessFailures =
    [
        "elicitation-sep1034-defaults",
        "elicitation-sep1330-enums",
        "resources-subscribe",
        "resources-unsubscribe",
        "tools-call-elicitation",
        "tools-call-sampling",
        "tools-call-with-logging",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StatefulComposition_PassesEveryActiveScenario()
    {
        var (failures, output) = await ConformanceSuite.RunAsync(new Uri(conformance.Stateful.BaseUri, "/mcp"), Ct);

        TestContext.Current.SendDiagnosticMessage(output);
        Assert.True(failures.Count >= 30, $"Only {failures.Count} scenarios ran:{Environment.NewLine}{output}");
        Assert.Empty(failures.Where(f => f.Value > 0).Select(f => f.Key));
    }

    [Fact]
    public async Task StatelessComposition_FailsOnlyTheScenariosThatNeedASession()
    {
        var (failures, output) = await ConformanceSuite.RunAsync(new Uri(conformance.Stateless.BaseUri, "/mcp"), Ct);

        TestContext.Current.SendDiagnosticMessage(output);
        Assert.True(failures.Count >= 30, $"Only {failures.Count} scenarios ran:{Environment.NewLine}{output}");
        Assert.Equal(ExpectedStatelessFailures, failures.Where(f => f.Value > 0).Select(f => f.Key).Order(StringComparer.Ordinal));
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
    }

    /// <summary>The conformance host in both modes, each a real process on a loopback port.</summary>
    public sealed class ConformanceHosts : IAsyncLifetime
    {
        internal HostProcess Stateful { get; private set; } = null!;

        internal HostProcess Stateless { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var dll = RepoLayout.ProjectDll("McpAspire.ConformanceHost", folder: "tests");
            var ct = TestContext.Current.CancellationToken;
            var install = NodeTooling.EnsureInstalledAsync(ct);
            var stateful = HostProcess.StartAsync(dll, null, ct);
            var stateless = HostProcess.StartAsync(dll, null, ct, "--Conformance:Mode=Stateless");
            Stateful = await stateful;
            Stateless = await stateless;
            await install;
        }

        public async ValueTask DisposeAsync()
        {
            if (Stateful is not null)
            {
                await Stateful.DisposeAsync();
            }

            if (Stateless is not null)
            {
                await Stateless.DisposeAsync();
            }
        }
    }
}
