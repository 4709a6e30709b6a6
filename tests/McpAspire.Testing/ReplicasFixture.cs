using System.Globalization;

namespace McpAspire.Testing;

/// <summary>
/// The SSE front-end as two replicas (A and B) on loopback sharing the embedded Garnet cache, with short keep-alive and
/// heartbeat periods so the tests see them; further replicas can be started, killed and drained by the tests.
/// </summary>
public sealed class ReplicasFixture : IAsyncLifetime
{
    /// <summary>A replica that stops beating counts as gone after this long.</summary>
    public static readonly TimeSpan ReplicaTtl = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMilliseconds(300);

    private readonly List<HostProcess> _processes = [];
    private readonly Dictionary<string, string> _environment = [];

    public HostProcess A { get; private set; } = null!;

    public HostProcess B { get; private set; } = null!;

    public const string AliceKey = "replica-test-key-alice-42b1";
    public const string BobKey = "replica-test-key-bob-93c7";

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = LoopbackPort.Free();
        _processes.Add(await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.Cache"), null, "Garnet listening on", [$"--Cache:Port={port}"], ct));
        _environment["ConnectionStrings__cache"] = $"127.0.0.1:{port}";
        _environment["McpAspire__State__KeyPrefix"] = $"r{Guid.NewGuid():N}"[..16];
        _environment["McpAspire__State__ReplicaTtl"] = ReplicaTtl.ToString("c", CultureInfo.InvariantCulture);
        _environment["McpAspire__State__OperationTimeout"] = "00:00:10";
        _environment["McpAspire__Http__SseKeepAliveInterval"] = KeepAliveInterval.ToString("c", CultureInfo.InvariantCulture);
        _environment["McpAspire__RateLimiting__Enabled"] = "false";
        // Two principals for the ownership and scope checks across replicas; other tests call anonymously from loopback.
        _environment["McpAspire__Security__ApiKeys__alice__Hash"] = SecuredHostsFixture.Sha256(AliceKey);
        _environment["McpAspire__Security__ApiKeys__alice__Scopes__0"] = "*";
        _environment["McpAspire__Security__ApiKeys__bob__Hash"] = SecuredHostsFixture.Sha256(BobKey);
        _environment["McpAspire__Security__ApiKeys__bob__Scopes__0"] = "echo";
        _environment["McpAspire__Security__ApiKeys__bob__Scopes__1"] = "whoami";

        var a = StartReplicaAsync("replica-a", ct);
        var b = StartReplicaAsync("replica-b", ct);
        A = await a;
        B = await b;
    }

    /// <summary>Starts one more front-end replica with the same settings.</summary>
    public async Task<HostProcess> StartReplicaAsync(string instanceId, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(_environment) { ["McpAspire__InstanceId"] = instanceId };
        var replica = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), environment, cancellationToken);
        lock (_processes)
        {
            _processes.Add(replica);
        }

        return replica;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync();
        }
    }
}
