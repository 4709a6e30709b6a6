using StackExchange.Redis;

namespace McpAspire.Testing;

/// <summary>A real Redis-compatible server on a loopback port that a test can stop and start again.</summary>
public abstract class RedisTestServer : IAsyncLifetime
{
    public int Port { get; } = LoopbackPort.Free();

    public virtual string ConnectionString => $"127.0.0.1:{Port}";

    public abstract string Name { get; }

    /// <summary>
    /// Why this server cannot run on this machine (a missing program and how to install it), or null when it can. A server
    /// that cannot run does not start, and the tests that use it skip with this reason (<see cref="SkipIfMissing"/>).
    /// </summary>
    public virtual string? Missing => null;

    public abstract ValueTask StartAsync();

    public abstract ValueTask StopAsync();

    public async ValueTask InitializeAsync()
    {
        if (Missing is not null)
        {
            return;
        }

        await StartAsync();
        await WaitUntilAnsweringAsync();
    }

    /// <summary>Skips the calling test, naming what to install, when this server cannot run here.</summary>
    public void SkipIfMissing() => Assert.SkipWhen(Missing is not null, Missing ?? "");

    public async ValueTask DisposeAsync()
    {
        if (Missing is null)
        {
            await StopAsync();
        }

        await CleanUpAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Anything beyond stopping the server, once, at the end.</summary>
    protected virtual ValueTask CleanUpAsync() => ValueTask.CompletedTask;

    /// <summary>How a client of this test process connects to the server.</summary>
    public virtual ConfigurationOptions ClientOptions() => ConfigurationOptions.Parse(ConnectionString);

    /// <summary>Waits until the server answers PING, up to 30 seconds.</summary>
    public async Task WaitUntilAnsweringAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                var options = ClientOptions();
                options.ConnectTimeout = 1000;
                using var connection = await ConnectionMultiplexer.ConnectAsync(options);
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
