using System.Buffers.Text;
using System.Text;
using McpAspire.Hosting.RequestState;
using McpAspire.Testing;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;

namespace McpAspire.State.Tests;

/// <summary>
/// Sealed request state between replicas that share one Redis: sealed on one, opened once on any other, across restarts
/// and key rotation; refused, with its reason, for another caller, request or arguments, when expired, when used, and
/// retryable while Redis is away.
/// </summary>
public abstract class RequestStateTests<TServer> where TServer : RedisTestServer
{
    private static readonly RequestStateBinding Alice = new("alice", "tools/call", "notes_clear", ArgumentsDigest.Compute([]));
    private readonly TServer server;
    private readonly Dictionary<string, string?> shared = new() { ["McpAspire:State:KeyPrefix"] = $"rs{Guid.NewGuid():N}"[..16] };

    protected RequestStateTests(TServer server)
    {
        server.SkipIfMissing();
        this.server = server;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Whether <paramref name="text"/> is in the bytes a base64url string carries, as UTF-8.</summary>
    private static bool ShowsInBytes(string text, string base64Url) =>
        Base64Url.DecodeFromChars(base64Url).AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    [Fact]
    public async Task SealedOnOneReplica_OpensOnAnother_ThenNeverAgainAnywhere()
    {
        await using var a = await StateHost.StartAsync(server, shared);
        await using var b = await StateHost.StartAsync(server, shared);
        var sealedState = a.Sealer.Seal("step-1", Alice);

        // Encrypted, not merely encoded: the handler's state is not in the bytes (the same look finds it in an encoding alone).
        Assert.True(ShowsInBytes("step-1", Base64Url.EncodeToString(Encoding.UTF8.GetBytes("""{"state":"step-1"}"""))));
        Assert.False(ShowsInBytes("step-1", sealedState));
        Assert.Equal("step-1", await b.Sealer.OpenAsync(sealedState, Alice, Ct));
        Assert.Equal(RequestStateRefusal.AlreadyUsed, await RefusalAsync(a, sealedState, Alice));
        Assert.Equal(RequestStateRefusal.AlreadyUsed, await RefusalAsync(b, sealedState, Alice));
    }

    [Fact]
    public async Task AnotherCallerRequestOrArguments_IsRefused_AndTheStateStaysUsableByItsOwn()
    {
        await using var a = await StateHost.StartAsync(server, shared);
        var sealedState = a.Sealer.Seal(null, Alice);

        Assert.Equal(RequestStateRefusal.OtherPrincipal, await RefusalAsync(a, sealedState, Alice with { Principal = "mallory" }));
        Assert.Equal(RequestStateRefusal.OtherRequest, await RefusalAsync(a, sealedState, Alice with { Name = "notes_delete" }));
        Assert.Equal(RequestStateRefusal.OtherRequest, await RefusalAsync(a, sealedState, Alice with { Method = "prompts/get" }));
        Assert.Equal(RequestStateRefusal.OtherArguments, await RefusalAsync(a, sealedState, Alice with { ArgumentsDigest = ArgumentsDigest.Compute([new("name", System.Text.Json.JsonSerializer.SerializeToElement("x"))]) }));
        Assert.Null(await a.Sealer.OpenAsync(sealedState, Alice, Ct));
    }

    [Fact]
    public async Task PastItsLifetime_IsRefusedAsExpired()
    {
        var clock = new StoppableWallClock();
        await using var a = await StateHost.StartAsync(server, new Dictionary<string, string?>(shared) { ["McpAspire:State:RequestStateLifetime"] = "00:01:00" }, clock);
        var sealedState = a.Sealer.Seal("late", Alice);

        clock.StoppedAt = DateTimeOffset.UtcNow.AddMinutes(1).AddSeconds(1);

        Assert.Equal(RequestStateRefusal.Expired, await RefusalAsync(a, sealedState, Alice));
    }

    [Fact]
    public async Task EveryReplicaRestarted_TheKeyRingComesBackFromRedis()
    {
        string sealedState;
        await using (var a = await StateHost.StartAsync(server, shared))
        {
            sealedState = a.Sealer.Seal("kept", Alice);
        }

        await using var c = await StateHost.StartAsync(server, shared);
        Assert.Equal("kept", await c.Sealer.OpenAsync(sealedState, Alice, Ct));
    }

    [Fact]
    public async Task AfterAKeyRotation_StatesSealedWithTheOldKeyAndTheNewOneBothOpen()
    {
        await using var a = await StateHost.StartAsync(server, shared);
        var old = a.Sealer.Seal("old", Alice);
        var keys = a.Services.GetRequiredService<IKeyManager>();
        var before = keys.GetAllKeys().Count;
        keys.CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        var rotated = a.Sealer.Seal("new", Alice);

        await using var c = await StateHost.StartAsync(server, shared);
        Assert.Equal(before + 1, c.Services.GetRequiredService<IKeyManager>().GetAllKeys().Count);
        Assert.Equal("old", await c.Sealer.OpenAsync(old, Alice, Ct));
        Assert.Equal("new", await c.Sealer.OpenAsync(rotated, Alice, Ct));
    }

    [Fact]
    public async Task MalformedOrForeign_IsRefusedAsInvalid()
    {
        await using var a = await StateHost.StartAsync(server, shared);
        await using var elsewhere = await StateHost.StartAsync(server);
        var foreign = elsewhere.Sealer.Seal("theirs", Alice);

        Assert.Equal(RequestStateRefusal.Invalid, await RefusalAsync(a, "", Alice));
        Assert.Equal(RequestStateRefusal.Invalid, await RefusalAsync(a, "not a sealed state", Alice));
        Assert.Equal(RequestStateRefusal.Invalid, await RefusalAsync(a, foreign, Alice));
        Assert.Equal(RequestStateRefusal.TooLarge, await RefusalAsync(a, new string('A', RequestStateSealer.MaxSealedLength + 1), Alice));
    }

    [Fact]
    public async Task RedisAwayBetweenTheRounds_IsARetryableError_ThenTheSameStateOpens()
    {
        await using var a = await StateHost.StartAsync(server, new Dictionary<string, string?>(shared) { ["McpAspire:State:OperationTimeout"] = "00:00:00.500" });
        var sealedState = a.Sealer.Seal("retry me", Alice);

        await server.StopAsync();
        McpProtocolException away;
        try
        {
            away = await Assert.ThrowsAsync<McpProtocolException>(() => a.Sealer.OpenAsync(sealedState, Alice, Ct).AsTask());
        }
        finally
        {
            await server.StartAsync();
        }

        Assert.Equal(McpAspireErrorCodes.StateUnavailable, away.ErrorCode);
        Assert.Equal(true, away.Data["retryable"]);
        await Until.TrueAsync(() => TryOpen(a, sealedState) == "retry me", () => "the same state to open once Redis is back", Ct, TimeSpan.FromSeconds(30));
    }

    private static string? TryOpen(StateHost host, string sealedState)
    {
        try
        {
            return host.Sealer.OpenAsync(sealedState, Alice, Ct).AsTask().GetAwaiter().GetResult();
        }
        catch (McpProtocolException ex) when (ex.ErrorCode == McpAspireErrorCodes.StateUnavailable)
        {
            return null;
        }
    }

    private static async Task<string> RefusalAsync(StateHost host, string sealedState, RequestStateBinding binding)
    {
        var refused = await Assert.ThrowsAsync<McpProtocolException>(() => host.Sealer.OpenAsync(sealedState, binding, Ct).AsTask());
        Assert.Equal(McpErrorCode.InvalidParams, refused.ErrorCode);
        return (string)refused.Data["reason"]!;
    }
}

public sealed class GarnetRequestStateTests(GarnetRedisServer server) : RequestStateTests<GarnetRedisServer>(server), IClassFixture<GarnetRedisServer>;

public sealed class RedisRequestStateTests(DebianRedisServer server) : RequestStateTests<DebianRedisServer>(server), IClassFixture<DebianRedisServer>;
