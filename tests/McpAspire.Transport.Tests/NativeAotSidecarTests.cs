using McpAspire.Testing;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace McpAspire.Transport.Tests;

/// <summary>
/// The sidecar published as Native AOT (the README's command) serves what the built one serves, against the shared
/// cache: where trimming and no JIT would break it, the tool schemas and results (source-generated JSON), the Lua
/// scripts StackExchange.Redis fills from an object's properties (notes, the shared rate limiter), and the options
/// validation (source-generated).
/// </summary>
public sealed class NativeAotSidecarTests(NativeAotSidecarFixture aot) : IClassFixture<NativeAotSidecarFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListsTheToolsPromptsAndSchemas_OfTheBuiltSidecar()
    {
        await using var published = await aot.ConnectAsync(Ct);
        await using var built = await Clients.ConnectSidecarAsync(aot.Environment, Ct);

        Assert.Equal(Describe(await built.ListToolsAsync(cancellationToken: Ct)), Describe(await published.ListToolsAsync(cancellationToken: Ct)));
        Assert.Equal(
            (await built.ListPromptsAsync(cancellationToken: Ct)).Select(p => p.ProtocolPrompt.Name),
            (await published.ListPromptsAsync(cancellationToken: Ct)).Select(p => p.ProtocolPrompt.Name));

        static IEnumerable<string> Describe(IList<McpClientTool> tools) =>
            tools.Select(t => $"{t.Name} {t.ProtocolTool.InputSchema.GetRawText()} {t.ProtocolTool.OutputSchema?.GetRawText()}").Order(StringComparer.Ordinal);
    }

    [Fact]
    public async Task NotesWritten_AreReadBackByTheBuiltSidecar_AndTheSharedLimitHolds()
    {
        await using var published = await aot.ConnectAsync(Ct);
        var name = $"aot-{Guid.NewGuid():N}";

        var put = await published.CallToolAsync("notes_put", new Dictionary<string, object?> { ["name"] = name, ["content"] = "from native code" }, cancellationToken: Ct);
        Assert.NotEqual(true, put.IsError);
        Assert.Contains("\"updatedAt\"", put.Text(), StringComparison.Ordinal);

        await using var built = await Clients.ConnectSidecarAsync(aot.Environment, Ct);
        Assert.Contains("from native code", (await built.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = name }, cancellationToken: Ct)).Text(), StringComparison.Ordinal);

        // whoami: one call per window for this principal, counted in Redis whichever sidecar asks.
        Assert.Contains("\"transport\":\"stdio\"", (await published.CallToolAsync("whoami", cancellationToken: Ct)).Text(), StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<McpProtocolException>(async () => await built.CallToolAsync("whoami", cancellationToken: Ct));
        Assert.Equal(-32029, (int)refused.ErrorCode);
    }

    [Fact]
    public async Task BadArguments_GetTheSameClearError()
    {
        await using var published = await aot.ConnectAsync(Ct);

        var result = await published.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = "one", ["b"] = 2 }, cancellationToken: Ct);

        Assert.True(result.IsError);
        Assert.StartsWith("Invalid arguments for tool 'add'", result.Text(), StringComparison.Ordinal);
    }

#pragma warning disable MCP9005 // Roots are deprecated as of 2026-07-28 and still served: this client answers them.
    [Fact]
    public async Task ClientRoots_AskedAndAnswered_ThroughTheSealedRequestState()
    {
        var options = new McpClientOptions
        {
            Capabilities = new ModelContextProtocol.Protocol.ClientCapabilities { Roots = new ModelContextProtocol.Protocol.RootsCapability() },
            Handlers = new McpClientHandlers
            {
                RootsHandler = (_, _) => ValueTask.FromResult(new ModelContextProtocol.Protocol.ListRootsResult
                {
                    Roots = [new ModelContextProtocol.Protocol.Root { Uri = "file:///native", Name = "native" }],
                }),
            },
        };
        await using var published = await McpClient.CreateAsync(
            new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "aot-sidecar",
                Command = await aot.ExecutableAsync(Ct),
                EnvironmentVariables = aot.Environment.ToDictionary(e => e.Key, e => (string?)e.Value),
            }),
            options, cancellationToken: Ct);

        var roots = await published.CallToolAsync("client_roots", cancellationToken: Ct);

        Assert.Equal("file:///native (native)", roots.Text());
    }
#pragma warning restore MCP9005

    [Fact]
    public async Task BadSettings_StopItAtStartUp_Saying_Which()
    {
        var environment = new Dictionary<string, string>(aot.Environment) { ["McpAspire__State__OperationTimeout"] = "00:00:00" };
        await using var sidecar = RawSidecar.Start(environment, await aot.ExecutableAsync(Ct));

        Assert.NotEqual(0, await sidecar.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains(sidecar.Stderr, line => line.Contains("McpAspire:State:OperationTimeout must be between 50 ms and 30 s", StringComparison.Ordinal));
    }
}

/// <summary>The sidecar published once as Native AOT for the class, and the cache it shares with the built one.</summary>
public sealed class NativeAotSidecarFixture : IAsyncLifetime
{
    private readonly NativeAotExecutable _sidecar = new(PublishedProject.Sidecar);
    private HostProcess? _cache;

    public Dictionary<string, string> Environment { get; } = [];

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = LoopbackPort.Free();
        _cache = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.Cache"), null, "Garnet listening on", [$"--Cache:Port={port}"], ct);
        Environment["ConnectionStrings__cache"] = $"127.0.0.1:{port}";
        Environment["McpAspire__State__KeyPrefix"] = $"t{Guid.NewGuid():N}"[..16];
        Environment["McpAspire__RateLimiting__Tools__whoami"] = "1";
        Environment["McpAspire__RateLimiting__Window"] = "00:10:00";
        Environment["McpAspire__State__OperationTimeout"] = "00:00:10";
    }

    /// <summary>The published executable; the test is skipped where clang is missing (CI installs it).</summary>
    internal Task<string> ExecutableAsync(CancellationToken cancellationToken) => _sidecar.PathAsync(cancellationToken);

    internal async Task<McpClient> ConnectAsync(CancellationToken cancellationToken) =>
        await Clients.ConnectSidecarAsync(Environment, cancellationToken, await ExecutableAsync(cancellationToken));

    public async ValueTask DisposeAsync()
    {
        if (_cache is not null)
        {
            await _cache.DisposeAsync();
        }

        _sidecar.Dispose();
    }
}
