using System.Globalization;
using McpAspire.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using StackExchange.Redis;

namespace McpAspire.Reliability.Tests.Infrastructure;

/// <summary>
/// The deployment on loopback, every part a real process: a standalone Redis (Debian's redis-server with an append-only
/// file fsynced on every write, so a restart keeps every acknowledged write; the embedded Garnet server as its own
/// process where redis-server is not installed), SSE front-end and HTTP worker replicas pointed at it, and sidecars
/// spawned against it. Remote callers are the Development loopback principal <c>anonymous</c>, and so is the sidecar,
/// so one principal's notes are written and read on every transport.
/// </summary>
public class Deployment : IAsyncLifetime
{
    public const string Principal = "anonymous";

    private readonly List<HostProcess> _frontEnds = [];
    private readonly List<HostProcess> _workers = [];
    private ConnectionMultiplexer? _redis;

    private RedisTestServer? _server;

    /// <summary>The shared Redis: <see cref="LocalRedis.Standalone"/> unless a deployment says otherwise (<see cref="CreateServer"/>).</summary>
    public RedisTestServer Server => _server ??= CreateServer();

    /// <summary>The cache as a single server process, for the tests that stop, pause and kill it.</summary>
    public RedisProcessServer Cache => (RedisProcessServer)Server;

    protected virtual RedisTestServer CreateServer() => LocalRedis.Standalone();

    public Dictionary<string, string> Environment { get; } = [];

    public string KeyPrefix { get; } = $"r{Guid.NewGuid():N}"[..16];

    internal IReadOnlyList<HostProcess> FrontEnds => _frontEnds;

    internal IReadOnlyList<HostProcess> Workers => _workers;

    /// <summary>The test's own connection, for reading what the hosts stored.</summary>
    public IDatabase Redis => _redis!.GetDatabase();

    public RedisKey NotesKey => $"{KeyPrefix}:data:notes:{{{Principal}}}";

    protected virtual int FrontEndCount => 1;

    protected virtual int WorkerCount => 1;

    /// <summary>False to start the hosts against a cache that is not running yet (a wrong address, as they see it).</summary>
    protected virtual bool CacheRunsAtStart => true;

    /// <summary>Settings beyond the shared ones, for a deployment that needs other limits or timeouts.</summary>
    protected virtual void Configure(Dictionary<string, string> environment)
    {
    }

    public virtual async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        if (Server.Missing is not null)
        {
            return; // its tests skip, saying what to install
        }

        if (CacheRunsAtStart)
        {
            await Server.InitializeAsync();
        }

        var options = Server.ClientOptions();
        options.AbortOnConnectFail = false;
        options.AllowAdmin = true;
        _redis = await ConnectionMultiplexer.ConnectAsync(options);

        Environment["ConnectionStrings__cache"] = Server.ConnectionString;
        Environment["McpAspire__State__KeyPrefix"] = KeyPrefix;
        Environment["McpAspire__LocalPrincipal"] = Principal;
        // Loaded 2-core machines stall for a while at times; the fault tests set their own, shorter timeouts.
        Environment["McpAspire__State__OperationTimeout"] = "00:00:05";
        Environment["McpAspire__State__ReplicaTtl"] = "00:00:03";
        Configure(Environment);

        var frontEnds = Enumerable.Range(0, FrontEndCount).Select(i => StartHostAsync("McpAspire.SseFrontEnd", $"front-end-{i}", ct)).ToList();
        var workers = Enumerable.Range(0, WorkerCount).Select(i => StartHostAsync("McpAspire.HttpWorker", $"worker-{i}", ct)).ToList();
        _frontEnds.AddRange(await Task.WhenAll(frontEnds));
        _workers.AddRange(await Task.WhenAll(workers));
    }

    /// <summary>Starts one more replica of a host with the deployment's settings.</summary>
    internal async Task<HostProcess> StartHostAsync(string project, string instanceId, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(Environment) { ["McpAspire__InstanceId"] = instanceId };
        return await HostProcess.StartAsync(RepoLayout.ProjectDll(project), environment, cancellationToken);
    }

    internal Uri FrontEndMcp(int replica = 0) => new(_frontEnds[replica].BaseUri, "/mcp");

    internal Uri WorkerMcp(int replica = 0) => new(_workers[replica].BaseUri, "/mcp");

    internal RawSidecar StartRawSidecar() => RawSidecar.Start(Environment);

    public Task<McpClient> ConnectSidecarAsync(CancellationToken cancellationToken) => Clients.ConnectSidecarAsync(Environment, cancellationToken);

    internal static Task<McpClient> ConnectAsync(Uri endpoint, HttpTransportMode mode, CancellationToken cancellationToken, HttpClient? http = null) =>
        McpClient.CreateAsync(
            http is null
                ? new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = mode })
                : new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = mode }, http, ownsHttpClient: false),
            ClientOptions,
            cancellationToken: cancellationToken);

    private static McpClientOptions ClientOptions => new() { ClientInfo = new Implementation { Name = Clients.ClientName, Version = "1.0.0" } };

    /// <summary>
    /// Stores a note named <c>seed</c> under <see cref="NotesKey"/> and reads it back through the worker and the sidecar:
    /// the key the tests watch for changes is the one the hosts use.
    /// </summary>
    public async Task SeedNoteAsync(CancellationToken cancellationToken)
    {
        await Redis.HashSetAsync(NotesKey, "seed", """{"name":"seed","content":"original"}""");
        await using var worker = await ConnectAsync(WorkerMcp(), HttpTransportMode.StreamableHttp, cancellationToken);
        await using var sidecar = await ConnectSidecarAsync(cancellationToken);
        foreach (var client in new[] { worker, sidecar })
        {
            var seed = await client.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = "seed" }, cancellationToken: cancellationToken);
            Assert.Contains("\"original\"", seed.Text(), StringComparison.Ordinal);
        }
    }

    /// <summary>The principal's notes as stored: what a rejected request must leave as it was.</summary>
    public async Task<IReadOnlyDictionary<string, string>> NotesAsync() =>
        (await Redis.HashGetAllAsync(NotesKey)).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());

    public static string Seconds(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var host in _frontEnds.Concat(_workers))
        {
            await host.DisposeAsync();
        }

        _redis?.Dispose();
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
