using System.Diagnostics.Metrics;
using McpAspire.Abstractions;
using McpAspire.State.Resilience;
using McpAspire.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpAspire.State.Tests;

/// <summary>
/// Redis stops or stalls under a host: a tool set's writes fail with a clear error and change nothing, rate limiting goes on per
/// replica, health says Degraded, a counter counts it; when Redis is back everything recovers without a restart.
/// Each test owns its server, since it stops it.
/// </summary>
public sealed class RedisOutageTests
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    // Short, so a stalled server is noticed quickly; the other state tests keep the default (Garnet's first script
    // compile can take most of a second on a loaded 2-core machine).
    private static readonly Dictionary<string, string?> FastTimeout = new() { ["McpAspire:State:OperationTimeout"] = "00:00:00.500" };
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [RedisServerFact("an append-only file, so that writes acknowledged before a stop are there after it")]
    public async Task RedisServerStopped_ThenRestarted_DegradesAndRecoversWithAcknowledgedWritesIntact()
    {
        await using var server = new DebianRedisServer();
        await server.InitializeAsync();
        await using var state = await StateHost.StartAsync(server, FastTimeout);
        using var fallbacks = new FallbackCounter(state);
        await state.Entries.PutAsync("alice", "kept", "written before the outage", Ct);

        await server.StopAsync();

        await AssertDegradedAsync(state, fallbacks, NotChanged);

        await server.StartAsync();
        await AssertRecoversAsync(state);
        Assert.Equal("written before the outage", await state.Entries.GetAsync("alice", "kept", Ct));
        Assert.Null(await state.Entries.GetAsync("alice", "during", Ct));
    }

    [Fact]
    public async Task StandaloneServerPaused_CallsTimeOutClearly_ThenRecoverWhenResumed()
    {
        await using var server = LocalRedis.Standalone();
        await server.InitializeAsync();
        await using var state = await StateHost.StartAsync(server, FastTimeout);
        using var fallbacks = new FallbackCounter(state);
        // The server's first script compile can outlast the short timeout on a loaded machine: written once it answers.
        await Until.TrueAsync(() => TryPut(state, "kept", "before"), () => "a first note write to succeed", Ct, Recovery);

        server.Pause();
        try
        {
            await AssertDegradedAsync(state, fallbacks, OutcomeUnknown);
        }
        finally
        {
            server.Resume();
        }

        await AssertRecoversAsync(state);
        Assert.Equal("before", await state.Entries.GetAsync("alice", "kept", Ct));
        // The stalled server got the write and applied it on resuming: exactly why the caller was told to read it back.
        Assert.Equal("lost?", await state.Entries.GetAsync("alice", "during", Ct));
    }

    [Fact]
    public async Task GarnetStopped_ThenRestarted_DegradesAndRecovers()
    {
        await using var server = new GarnetRedisServer();
        await server.InitializeAsync();
        await using var state = await StateHost.StartAsync(server, FastTimeout);
        using var fallbacks = new FallbackCounter(state);

        await server.StopAsync();
        await AssertDegradedAsync(state, fallbacks, NotChanged);

        await server.StartAsync();
        await AssertRecoversAsync(state);
    }

    private const string NotChanged =
        "Saving entries is unavailable right now: the shared state store (Redis) is unreachable. Nothing was changed; try again shortly.";

    private const string OutcomeUnknown =
        "Saving entries did not complete: the shared state store (Redis) did not answer in time. The change may still be applied; read it back before retrying.";

    private static async Task AssertDegradedAsync(StateHost state, FallbackCounter fallbacks, string expectedWriteError)
    {
        var put = await Assert.ThrowsAsync<StateUnavailableException>(() => state.Entries.PutAsync("alice", "during", "lost?", Ct));
        Assert.Equal(expectedWriteError, put.Message);
        await Assert.ThrowsAsync<StateUnavailableException>(() => state.Entries.GetAsync("alice", "kept", Ct));

        var before = fallbacks.Count;
        var decision = await state.Limiter.AcquireAsync("alice", "echo", Ct);
        Assert.True(decision.Allowed);
        Assert.Equal("local-fallback", decision.Source);
        Assert.Equal(before + 1, fallbacks.Count);
        Assert.Equal(HealthStatus.Degraded, await state.HealthAsync());
    }

    private static async Task AssertRecoversAsync(StateHost state)
    {
        await Until.TrueAsync(() => TryPut(state, "after", "after"), () => "a note write to succeed again", Ct, Recovery);
        await Until.TrueAsync(() => state.Limiter.AcquireAsync("alice", "echo", Ct).AsTask().Result.Source == "redis", () => "the shared limiter to answer again", Ct, Recovery);
        await Until.TrueAsync(() => state.HealthAsync().Result == HealthStatus.Healthy, () => "health to be Healthy again", Ct, Recovery);
        Assert.Equal("after", await state.Entries.GetAsync("alice", "after", Ct));
    }

    private static bool TryPut(StateHost state, string name, string content)
    {
        try
        {
            state.Entries.PutAsync("alice", name, content, Ct).GetAwaiter().GetResult();
            return true;
        }
        catch (StateUnavailableException)
        {
            return false;
        }
    }

    /// <summary>Counts <c>mcpaspire.ratelimit.fallbacks</c> as an operator's metrics pipeline would see it.</summary>
    /// <summary>
    /// The fallbacks one host counted: its meters are its own meter factory's (their scope), so hosts of test classes
    /// running beside this one, each with a factory of its own, are not counted.
    /// </summary>
    private sealed class FallbackCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public FallbackCounter(StateHost state)
        {
            var meters = state.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Meter.Name == McpAspireTelemetry.Name && instrument.Name == "mcpaspire.ratelimit.fallbacks")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
