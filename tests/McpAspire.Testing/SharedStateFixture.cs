using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Testing;

/// <summary>
/// The deployment in miniature, every part a real process on loopback: the embedded Garnet cache (McpAspire.Cache),
/// an SSE front-end and two HTTP workers all pointed at it, and sidecars spawned against it on demand.
/// Remote callers are anonymous until the hosts authenticate, so the sidecar is configured as that principal too.
/// </summary>
public sealed class SharedStateFixture : IAsyncLifetime
{
    /// <summary>whoami is limited to this per window here; only the rate-limit test calls it.</summary>
    public const int WhoAmILimit = 100;

    /// <summary>add is limited to this per window here; only the round-robin test calls it.</summary>
    public const int AddLimit = 5;

    private readonly List<HostProcess> _processes = [];

    public HostProcess Cache { get; private set; } = null!;

    public int CachePort { get; private set; }

    public HostProcess FrontEnd { get; private set; } = null!;

    public HostProcess WorkerA { get; private set; } = null!;

    public HostProcess WorkerB { get; private set; } = null!;

    public Dictionary<string, string> Environment { get; } = [];

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = LoopbackPort.Free();
        CachePort = port;
        await StartCacheAsync(ct);

        Environment["ConnectionStrings__cache"] = $"127.0.0.1:{port}";
        Environment["McpAspire__State__KeyPrefix"] = $"t{Guid.NewGuid():N}"[..16];
        Environment["McpAspire__LocalPrincipal"] = "anonymous";
        Environment["McpAspire__RateLimiting__Tools__whoami"] = WhoAmILimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Environment["McpAspire__RateLimiting__Tools__add"] = AddLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Environment["McpAspire__RateLimiting__Window"] = "00:10:00";
        // Generous: these tests check what the shared state does, not the timeout policy, and a loaded 2-core CI
        // machine can take a second to answer a burst; a timed-out check would fall back to the per-process limiter.
        Environment["McpAspire__State__OperationTimeout"] = "00:00:10";

        var frontEnd = HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), Environment, ct);
        var workerA = HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), Environment, ct);
        var workerB = HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), Environment, ct);
        _processes.Add(FrontEnd = await frontEnd);
        _processes.Add(WorkerA = await workerA);
        _processes.Add(WorkerB = await workerB);
        await Task.WhenAll(FrontEnd.WaitUntilReadyAsync(ct), WorkerA.WaitUntilReadyAsync(ct), WorkerB.WaitUntilReadyAsync(ct));
    }

    /// <summary>Stops both workers and starts them again with the same settings, as a new revision of the deployment would.</summary>
    public async Task RestartWorkersAsync(CancellationToken cancellationToken)
    {
        foreach (var worker in new[] { WorkerA, WorkerB })
        {
            _processes.Remove(worker);
            await worker.DisposeAsync();
        }

        var workerA = HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), Environment, cancellationToken);
        var workerB = HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), Environment, cancellationToken);
        _processes.Add(WorkerA = await workerA);
        _processes.Add(WorkerB = await workerB);
    }

    /// <summary>Kills the cache process, as a crash would.</summary>
    public async Task KillCacheAsync()
    {
        _processes.Remove(Cache);
        await Cache.DisposeAsync();
    }

    /// <summary>Starts the cache again on the same port.</summary>
    public async Task StartCacheAsync(CancellationToken cancellationToken)
    {
        Cache = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.Cache"), null, "Garnet listening on", [$"--Cache:Port={CachePort}"], cancellationToken);
        _processes.Insert(0, Cache);
    }

    public Task<McpClient> ConnectSidecarAsync(CancellationToken cancellationToken) => Clients.ConnectSidecarAsync(Environment, cancellationToken);

    public static Task<McpClient> ConnectAsync(Uri endpoint, HttpTransportMode mode, CancellationToken cancellationToken) =>
        McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = mode }),
            new McpClientOptions { ClientInfo = new Implementation { Name = Clients.ClientName, Version = "1.0.0" } },
            cancellationToken: cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync();
        }
    }

}
