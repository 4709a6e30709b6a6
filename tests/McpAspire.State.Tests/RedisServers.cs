using System.Diagnostics;
using Garnet;
using McpAspire.Cache;
using McpAspire.Transport.Tests.Infrastructure;
using StackExchange.Redis;

namespace McpAspire.State.Tests;

/// <summary>A real Redis-compatible server on a loopback port that a test can stop and start again.</summary>
public abstract class RedisServer : IAsyncLifetime
{
    public int Port { get; } = LoopbackPort.Free();

    public string ConnectionString => $"127.0.0.1:{Port}";

    public abstract string Name { get; }

    public abstract ValueTask StartAsync();

    public abstract ValueTask StopAsync();

    public async ValueTask InitializeAsync()
    {
        await StartAsync();
        await WaitUntilAnsweringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await CleanUpAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Anything beyond stopping the server, once, at the end.</summary>
    protected virtual ValueTask CleanUpAsync() => ValueTask.CompletedTask;

    /// <summary>Waits until the server answers PING, up to 30 seconds.</summary>
    public async Task WaitUntilAnsweringAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var connection = await ConnectionMultiplexer.ConnectAsync($"{ConnectionString},connectTimeout=1000");
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

}

/// <summary>Embedded Garnet, in this process, with the same flags as McpAspire.Cache.</summary>
public sealed class GarnetRedisServer : RedisServer
{
    private GarnetServer? _server;

    public override string Name => "garnet";

    public override ValueTask StartAsync()
    {
        _server = new GarnetServer(GarnetSettings.Arguments(Port));
        _server.Start();
        return ValueTask.CompletedTask;
    }

    public override ValueTask StopAsync()
    {
        _server?.Dispose();
        _server = null;
        return ValueTask.CompletedTask;
    }
}

/// <summary>Debian's redis-server as a child process, with an append-only file so a restart keeps acknowledged writes.</summary>
public sealed class DebianRedisServer : RedisServer
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("mcpaspire-redis-");
    private Process? _process;

    public override string Name => "redis-server";

    public override ValueTask StartAsync()
    {
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", _data.FullName, "--appendonly", "yes", "--appendfsync", "always", "--save", "" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start; install it (apt-get install redis-server).");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        return ValueTask.CompletedTask;
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open and nothing answers, like a stalled node.</summary>
    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public override async ValueTask StopAsync()
    {
        if (_process is { HasExited: false })
        {
            // A paused server cannot act on SIGTERM.
            Signal("CONT");
            Signal("TERM");
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }

        _process?.Dispose();
        _process = null;
    }

    protected override ValueTask CleanUpAsync()
    {
        _data.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
