using System.Diagnostics;
using System.Globalization;
using McpAspire.Testing;
using ModelContextProtocol.Client;
using StackExchange.Redis;

namespace McpAspire.Bench;

/// <summary>
/// What the shared state costs per call: the stateless worker against Debian's redis-server with the shared rate
/// limiter on and off, side by side, with Redis commands per call from the server's own INFO commandstats.
/// </summary>
internal static class RedisCost
{
    public static async Task RunAsync(int calls, int warmUp, CancellationToken cancellationToken)
    {
        using var redis = StartSection($"Redis cost per call (stateless worker + redis-server, {calls} sequential echo calls)", out var port);
        if (redis is null)
        {
            return;
        }

        try
        {
            await using var admin = await ConnectAsync($"127.0.0.1:{port},allowAdmin=true");
            var server = admin.GetServer(admin.GetEndPoints()[0]);
            Console.WriteLine("| worker | calls/s | p50 ms | p99 ms | Redis commands per call | p50 vs no limiter |");
            Console.WriteLine("| --- | ---: | ---: | ---: | --- | ---: |");
            double? baseline = null;
            foreach (var limiter in new[] { false, true })
            {
                var environment = new Dictionary<string, string>
                {
                    ["ConnectionStrings__cache"] = $"127.0.0.1:{port}",
                    ["McpAspire__RateLimiting__Enabled"] = limiter ? "true" : "false",
                    ["McpAspire__RateLimiting__PermitLimit"] = "1000000",
                };
                await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, cancellationToken);
                await using var client = await McpClient.CreateAsync(
                    new HttpClientTransport(new() { Endpoint = new Uri(worker.BaseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
                    cancellationToken: cancellationToken);
                await Measure.EchoAsync(client, warmUp, 1, cancellationToken);
                await server.ExecuteAsync("CONFIG", "RESETSTAT");
                var stats = await Measure.EchoAsync(client, 0, calls, cancellationToken);
                var perCall = string.Join(", ", (await CommandStatsAsync(server))
                    .Where(c => !c.Key.StartsWith("config", StringComparison.Ordinal) && c.Key != "info")
                    .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value / (double)calls:F2}")));
                baseline ??= stats.P50;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| rate limiter {(limiter ? "on" : "off")} | {stats.PerSecond:F0} | {stats.P50:F3} | {stats.P99:F3} | {perCall} | {stats.P50 / baseline:F2}× |"));
            }
        }
        finally
        {
            redis.Dispose();
        }
    }

    /// <summary>Prints a section's heading and starts its redis-server (<see cref="StartServer"/>); null, saying so, where it is not installed.</summary>
    internal static RedisServer? StartSection(string heading, out int port)
    {
        Console.WriteLine();
        Console.WriteLine($"## {heading}");
        Console.WriteLine();
        port = LoopbackPort.Free();
        var redis = StartServer(port);
        if (redis is null)
        {
            Console.WriteLine("redis-server is not installed; skipped.");
        }

        return redis;
    }

    /// <summary>Debian's redis-server on a loopback port, without persistence, killed on dispose; null when it is not installed.</summary>
    internal static RedisServer? StartServer(int port)
    {
        try
        {
            var process = Process.Start(new ProcessStartInfo("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", ""])
            {
                RedirectStandardOutput = true,
            });
            return process is null ? null : new RedisServer(process);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    internal sealed class RedisServer(Process process) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5_000);
            }

            process.Dispose();
        }
    }

    internal static async Task<Dictionary<string, long>> CommandStatsAsync(IServer server)
    {
        var result = new Dictionary<string, long>();
        foreach (var group in await server.InfoAsync("commandstats"))
        {
            foreach (var (key, value) in group)
            {
                // cmdstat_evalsha:calls=1000,usec=...
                var calls = value.Split(',')[0].Split('=')[1];
                result[key.Replace("cmdstat_", "", StringComparison.Ordinal)] = long.Parse(calls, CultureInfo.InvariantCulture);
            }
        }

        return result;
    }

    internal static async Task<ConnectionMultiplexer> ConnectAsync(string configuration)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await ConnectionMultiplexer.ConnectAsync(configuration);
            }
            catch (RedisConnectionException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

}
