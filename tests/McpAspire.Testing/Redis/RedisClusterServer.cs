using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace McpAspire.Testing;

/// <summary>
/// A three-primary Redis Cluster from Debian's redis-server on loopback, with a replica of the first primary, so a
/// test can fail that primary over or move its slots under traffic. Built with CLUSTER commands (as
/// <c>redis-cli --cluster create</c> does, without its fixed waits); ready when every node agrees on the topology.
/// </summary>
public sealed class RedisClusterServer : RedisTestServer
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("mcpaspire-cluster-");
    private readonly List<Node> _nodes = [];

    public override string Name => "redis-cluster";

    public override string? Missing => LocalRedis.RedisServerInstalled ? null : LocalRedis.RedisServerMissing("a three-primary Redis Cluster");

    /// <summary>The three primaries: a client discovers the rest (and the replica) from any of them.</summary>
    public override string ConnectionString => string.Join(',', _nodes.Take(3).Select(n => $"127.0.0.1:{n.Port}"));

    /// <summary>The primary that has a replica (slots 0-5460).</summary>
    public int ReplicatedPrimaryPort => _nodes[0].Port;

    public int ReplicaPort => _nodes[3].Port;

    public IReadOnlyList<int> PrimaryPorts => [.. _nodes.Take(3).Select(n => n.Port)];

    public override async ValueTask StartAsync()
    {
        for (var i = 0; i < 4; i++)
        {
            _nodes.Add(await StartNodeAsync());
        }

        await CliAsync(_nodes[0].Port, "cluster", "addslotsrange", "0", "5460");
        await CliAsync(_nodes[1].Port, "cluster", "addslotsrange", "5461", "10922");
        await CliAsync(_nodes[2].Port, "cluster", "addslotsrange", "10923", "16383");
        for (var i = 0; i < 3; i++)
        {
            await CliAsync(_nodes[i].Port, "cluster", "set-config-epoch", (i + 1).ToString(CultureInfo.InvariantCulture));
        }

        foreach (var node in _nodes.Skip(1))
        {
            await CliAsync(_nodes[0].Port, "cluster", "meet", "127.0.0.1", node.Port.ToString(CultureInfo.InvariantCulture));
        }

        var primaryId = (await CliAsync(_nodes[0].Port, "cluster", "myid")).Trim();
        var replicaId = (await CliAsync(_nodes[3].Port, "cluster", "myid")).Trim();
        await WaitForAsync("the replica to learn its primary", async () => (await CliAsync(_nodes[3].Port, "cluster", "nodes")).Contains(primaryId, StringComparison.Ordinal));
        await CliAsync(_nodes[3].Port, "cluster", "replicate", primaryId);
        await WaitForAsync("the replica to sync", async () => (await CliAsync(_nodes[3].Port, "info", "replication")).Contains("master_link_status:up", StringComparison.Ordinal));
        await WaitForAsync("every node to see the same four nodes", async () =>
        {
            foreach (var node in _nodes)
            {
                var view = (await CliAsync(node.Port, "cluster", "nodes")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (view.Length != 4 || view.Any(l => l.Contains("handshake", StringComparison.Ordinal) || l.Contains("noaddr", StringComparison.Ordinal) || l.Contains("fail", StringComparison.Ordinal)) ||
                    !view.Any(l => l.StartsWith(replicaId, StringComparison.Ordinal) && l.Contains($"slave {primaryId}", StringComparison.Ordinal)))
                {
                    return false;
                }
            }

            return true;
        });
        await WaitUntilOkAsync();
    }

    /// <summary>Waits until every running node reports <c>cluster_state:ok</c>.</summary>
    public Task WaitUntilOkAsync() => WaitForAsync("cluster_state:ok on every node", async () =>
    {
        foreach (var node in _nodes.Where(n => n.Process is { HasExited: false }))
        {
            if (!(await CliAsync(node.Port, "cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    });

    /// <summary>Kills a node outright (SIGKILL), as a crash would.</summary>
    public async Task KillAsync(int port)
    {
        var node = _nodes.Single(n => n.Port == port);
        node.Process!.Kill();
        await node.Process.WaitForExitAsync();
    }

    /// <summary>Runs redis-cli against one node and returns what it printed.</summary>
    public static async Task<string> CliAsync(int port, params string[] arguments)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture) }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var cli = Process.Start(start)!;
        var output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return output;
    }

    private async Task<Node> StartNodeAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreeClusterPort();
            var dir = Directory.CreateDirectory(Path.Combine(_data.FullName, port.ToString(CultureInfo.InvariantCulture)));
            var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
            {
                "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dir.FullName,
                "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(dir.FullName, "nodes.conf"), "--cluster-node-timeout", "1000",
                // The other shards serve while one has no primary; a replica takes over however far behind it is.
                "--cluster-require-full-coverage", "no", "--cluster-replica-validity-factor", "0",
                "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0",
            })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start; install it (apt-get install redis-server).");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!process.HasExited && DateTime.UtcNow < deadline)
            {
                if ((await CliAsync(port, "ping")).Trim() == "PONG")
                {
                    return new Node(port, process);
                }

                await Task.Delay(20);
            }

            // Lost the port (or its bus port) to another socket between the check and the bind: try another.
            if (!process.HasExited)
            {
                process.Kill();
            }

            if (attempt == 4)
            {
                throw new InvalidOperationException($"A cluster node did not start on port {port}.");
            }
        }
    }

    /// <summary>
    /// A port whose cluster bus port (+10000) is free too, both below the ephemeral range, so no outgoing connection
    /// takes either between this check and redis-server binding it.
    /// </summary>
    private int FreeClusterPort()
    {
        while (true)
        {
            var port = Random.Shared.Next(10_000, 22_700);
            if (_nodes.Any(n => n.Port == port) || !IsFree(port) || !IsFree(port + 10_000))
            {
                continue;
            }

            return port;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task WaitForAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The cluster did not come up: timed out waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }

    public override async ValueTask StopAsync()
    {
        foreach (var node in _nodes.Where(n => n.Process is { HasExited: false }))
        {
            node.Process!.Kill();
            await node.Process.WaitForExitAsync();
        }

        foreach (var node in _nodes)
        {
            node.Process?.Dispose();
        }

        _nodes.Clear();
    }

    protected override ValueTask CleanUpAsync()
    {
        _data.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private sealed record Node(int Port, Process? Process);
}
