using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using McpAspire.State.Resilience;
using McpAspire.Testing;

namespace McpAspire.State.Tests;

/// <summary>
/// The shared state on a Redis Cluster whose topology changes under traffic: a busy principal's hash slot moved to
/// another primary, and a primary with a replica killed. Writers keep writing a tool set's entries throughout; every write that was
/// acknowledged is there afterwards, and the writers carry on without a restart. Each test has a cluster of its own.
/// </summary>
public sealed class ClusterFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);
    private readonly RedisClusterServer _cluster = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _cluster.InitializeAsync();

    [RedisServerFact("a three-primary Redis Cluster with a replica")]
    public async Task BusyPrincipalsSlotMigrated_UnderTraffic_NothingLostAndNoWriteFails()
    {
        await using var state = await StateHost.StartAsync(_cluster);
        var principal = "migrating";
        var key = state.Entries.KeyOf(principal);
        var slot = (await RedisClusterServer.CliAsync(_cluster.PrimaryPorts[0], "cluster", "keyslot", key)).Trim();
        var source = await OwnerOfAsync(slot);
        var target = _cluster.PrimaryPorts.First(p => p != source);
        await using var writers = new Writers(state, principal);
        await Until.TrueAsync(() => writers.Writes > 50, () => "50 writes before the move", Ct, Recovery);
        // The writers' key is in the slot that moves.
        Assert.Equal("1", (await RedisClusterServer.CliAsync(source, "cluster", "countkeysinslot", slot)).Trim());

        await MigrateSlotAsync(slot, source, target);
        var moved = writers.Writes;
        await Until.TrueAsync(() => writers.Writes > moved + 50, () => "50 writes after the move", Ct, Recovery);
        await writers.StopAsync();

        Assert.Equal(target, await OwnerOfAsync(slot));
        Assert.Equal("1", (await RedisClusterServer.CliAsync(target, "cluster", "countkeysinslot", slot)).Trim());
        Assert.Empty(writers.Failures);
        Assert.Empty(await writers.LostAsync());
    }

    [RedisServerFact("a three-primary Redis Cluster with a replica")]
    public async Task PrimaryWithAReplicaKilled_UnderTraffic_TheReplicaTakesOver_NothingAcknowledgedIsLost()
    {
        await using var state = await StateHost.StartAsync(_cluster, new Dictionary<string, string?> { ["McpAspire:State:OperationTimeout"] = "00:00:01" });
        var principal = await PrincipalOnAsync(_cluster.ReplicatedPrimaryPort, state);
        await using var writers = new Writers(state, principal);
        await Until.TrueAsync(() => writers.Writes > 50, () => "50 writes before the kill", Ct, Recovery);
        // The writers' key is on the primary that is killed.
        Assert.Equal("1", (await RedisClusterServer.CliAsync(_cluster.ReplicatedPrimaryPort, "exists", state.Entries.KeyOf(principal))).Trim());

        var killedAt = Stopwatch.StartNew();
        await _cluster.KillAsync(_cluster.ReplicatedPrimaryPort);
        // The replica is promoted once the others agree its primary failed (node timeout 1 s, then an election).
        await Until.TrueAsync(() => RedisClusterServer.CliAsync(_cluster.ReplicaPort, "role").Result.StartsWith("master", StringComparison.Ordinal),
            () => "the replica to be promoted", Ct, Recovery);
        var promoted = killedAt.Elapsed;
        var before = writers.Writes;
        await Until.TrueAsync(() => writers.Writes > before + 50, () => "50 writes after the failover", Ct, Recovery);
        await writers.StopAsync();

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"promoted after {promoted.TotalSeconds:F1} s; {writers.Writes} writes acknowledged, {writers.Failures.Count} refused while the slot had no primary");
        // While the shard has no primary, writes fail with the documented error, and only then.
        Assert.All(writers.Failures, failure => Assert.Contains("the shared state store (Redis)", failure, StringComparison.Ordinal));
        // Replication is asynchronous: a write acknowledged a moment before the crash could in principle be missing on
        // the replica. On loopback the replica has it before the primary's answer reaches the writer.
        Assert.Empty(await writers.LostAsync());
    }

    private async Task<int> OwnerOfAsync(string slot)
    {
        foreach (var port in _cluster.PrimaryPorts)
        {
            var nodes = await RedisClusterServer.CliAsync(port, "cluster", "nodes");
            var mine = nodes.Split('\n').Single(l => l.Contains("myself", StringComparison.Ordinal));
            var number = int.Parse(slot, CultureInfo.InvariantCulture);
            if (Slots(mine).Any(range => number >= range.From && number <= range.To))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No primary serves slot {slot}.");
    }

    private static IEnumerable<(int From, int To)> Slots(string nodeLine) =>
        nodeLine.Split(' ').Skip(8).Where(part => part.Length > 0 && char.IsDigit(part[0])).Select(part =>
        {
            var bounds = part.Split('-');
            return (int.Parse(bounds[0], CultureInfo.InvariantCulture), int.Parse(bounds[^1], CultureInfo.InvariantCulture));
        });

    /// <summary>A principal whose entries hash to a slot of the primary on <paramref name="port"/>.</summary>
    private async Task<string> PrincipalOnAsync(int port, StateHost state)
    {
        for (var i = 0; ; i++)
        {
            var principal = $"user{i}";
            var slot = (await RedisClusterServer.CliAsync(port, "cluster", "keyslot", state.Entries.KeyOf(principal))).Trim();
            if (await OwnerOfAsync(slot) == port)
            {
                return principal;
            }
        }
    }

    /// <summary>Moves one slot with its keys, as <c>redis-cli --cluster reshard</c> does, while clients keep using it.</summary>
    private static async Task MigrateSlotAsync(string slot, int source, int target)
    {
        var sourceId = (await RedisClusterServer.CliAsync(source, "cluster", "myid")).Trim();
        var targetId = (await RedisClusterServer.CliAsync(target, "cluster", "myid")).Trim();
        await RedisClusterServer.CliAsync(target, "cluster", "setslot", slot, "importing", sourceId);
        await RedisClusterServer.CliAsync(source, "cluster", "setslot", slot, "migrating", targetId);
        while ((await RedisClusterServer.CliAsync(source, "cluster", "getkeysinslot", slot, "100")).Split('\n', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } keys)
        {
            await RedisClusterServer.CliAsync(source, ["migrate", "127.0.0.1", target.ToString(CultureInfo.InvariantCulture), "", "0", "5000", "keys", .. keys]);
        }

        await RedisClusterServer.CliAsync(target, "cluster", "setslot", slot, "node", targetId);
        await RedisClusterServer.CliAsync(source, "cluster", "setslot", slot, "node", targetId);
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    /// <summary>Four loops writing one principal's entries under names that come round again, remembering what was acknowledged.</summary>
    private sealed class Writers : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly StateHost _state;
        private readonly string _principal;
        private readonly Task _loops;

        public Writers(StateHost state, string principal)
        {
            _state = state;
            _principal = principal;
            _loops = Task.WhenAll(Enumerable.Range(0, 4).Select(WriteAsync));
        }

        /// <summary>Note name → the sequence number of its last acknowledged write.</summary>
        public ConcurrentDictionary<string, int> Acknowledged { get; } = new();

        public ConcurrentQueue<string> Failures { get; } = new();

        private int _writes;

        /// <summary>Acknowledged writes so far.</summary>
        public int Writes => Volatile.Read(ref _writes);

        private async Task WriteAsync(int writer)
        {
            for (var n = 0; !_stop.IsCancellationRequested; n++)
            {
                var name = $"w{writer}-{n % 20}";
                try
                {
                    await _state.Entries.PutAsync(_principal, name, n.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
                    Acknowledged[name] = n;
                    Interlocked.Increment(ref _writes);
                }
                catch (StateUnavailableException ex)
                {
                    Failures.Enqueue(ex.Message);
                    await Task.Delay(50);
                }
            }
        }

        /// <summary>Names whose stored write is older than the last acknowledged one (or missing).</summary>
        public async Task<IReadOnlyList<string>> LostAsync()
        {
            var lost = new List<string>();
            foreach (var (name, sequence) in Acknowledged)
            {
                var stored = await _state.Entries.GetAsync(_principal, name, CancellationToken.None);
                if (stored is null || int.Parse(stored, CultureInfo.InvariantCulture) < sequence)
                {
                    lost.Add($"{name}: acknowledged {sequence}, stored {stored ?? "nothing"}");
                }
            }

            return lost;
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _loops;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }
}
