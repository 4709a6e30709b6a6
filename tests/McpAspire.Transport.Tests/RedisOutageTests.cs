using System.Net;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// The cache process dies under running hosts: they keep answering (a clear tool error for notes, local rate limits,
/// health Degraded) and recover on their own when it is back, with no host restart.
/// </summary>
public sealed class RedisOutageTests(RedisOutageTests.Deployment deployment) : IClassFixture<RedisOutageTests.Deployment>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CacheKilledAndRestarted_HostsDegradeThenRecoverWithoutRestart()
    {
        using var http = new HttpClient();
        var worker = new Uri(deployment.WorkerA.BaseUri, "/mcp");
        var frontEndHealth = new Uri(deployment.FrontEnd.BaseUri, "/health");
        await using var sidecar = await deployment.ConnectSidecarAsync(Ct);
        Assert.Equal("Healthy", await http.GetStringAsync(frontEndHealth, Ct));
        var frontEnd = new Uri(deployment.FrontEnd.BaseUri, "/mcp");
        var heldSession = await RawMcp.OpenSessionAsync(http, frontEnd, Ct);

        await deployment.KillCacheAsync();

        // A session this replica holds keeps working (its stream events just cannot be logged for resumption).
        Assert.Equal("held", await EchoInSessionAsync(http, frontEnd, heldSession, "held"));
        // A session it would have to adopt from Redis: 503 and retry, not 404 (the session is not known to be gone).
        using (var adopt = await http.SendAsync(RawMcp.PostInSession(frontEnd, RawMcp.ToolCall(2, "echo", """{"message":"x"}"""), "a-session-on-another-replica"), Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, adopt.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), adopt.Headers.RetryAfter?.Delta);
            Assert.Equal(-32030, (await RawMcp.ReadMessageAsync(adopt, Ct)).ErrorCode());
        }

        // Remote: the tool says what is wrong; echo (no state) still works, limited locally.
        var put = await CallAsync(http, worker, "notes_put", """{"name":"during","content":"x"}""");
        Assert.True(put.GetProperty("isError").GetBoolean());
        Assert.Contains("the shared state store (Redis) is unreachable. Nothing was changed", put.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        var echo = await CallAsync(http, worker, "echo", """{"message":"still serving"}""");
        Assert.Equal("still serving", echo.GetProperty("content")[0].GetProperty("text").GetString());
        // Local: the same over stdio.
        var stdioPut = await sidecar.CallToolAsync("notes_put", new Dictionary<string, object?> { ["name"] = "during", ["content"] = "x" }, cancellationToken: Ct);
        Assert.True(stdioPut.IsError);
        // Health: Degraded, still 200 so the platform keeps the replica in rotation.
        using (var health = await http.GetAsync(frontEndHealth, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("Degraded", await health.Content.ReadAsStringAsync(Ct));
        }

        Assert.False(deployment.FrontEnd.HasExited || deployment.WorkerA.HasExited);
        await deployment.StartCacheAsync(Ct);

        await Until.TrueAsync(
            () => !CallAsync(http, worker, "notes_put", """{"name":"after","content":"back"}""").Result.TryGetProperty("isError", out var e) || !e.GetBoolean(),
            () => "notes_put to succeed again", Ct, TimeSpan.FromSeconds(30));
        // Each process reconnects on its own schedule; the sidecar reads what the worker wrote once it has.
        await Until.TrueAsync(
            () => sidecar.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = "after" }, cancellationToken: Ct).AsTask().Result.Text().Contains("\"back\"", StringComparison.Ordinal),
            () => "the sidecar to read the note written after recovery", Ct, TimeSpan.FromSeconds(30));
        await Until.TrueAsync(() => http.GetStringAsync(frontEndHealth, Ct).Result == "Healthy", () => "the front-end to report Healthy", Ct, TimeSpan.FromSeconds(30));
        Assert.Equal("after", await EchoInSessionAsync(http, frontEnd, heldSession, "after"));
    }

    private static async Task<string?> EchoInSessionAsync(HttpClient http, Uri mcp, string sessionId, string message)
    {
        using var response = await http.SendAsync(RawMcp.PostInSession(mcp, RawMcp.ToolCall(3, "echo", $$"""{"message":"{{message}}"}"""), sessionId), Ct);
        response.EnsureSuccessStatusCode();
        return (await RawMcp.ReadMessageAsync(response, Ct)).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString();
    }

    private static async Task<System.Text.Json.JsonElement> CallAsync(HttpClient http, Uri mcp, string tool, string arguments)
    {
        using var response = await http.SendAsync(RawMcp.Post(mcp, RawMcp.ToolCall(1, tool, arguments)), Ct);
        response.EnsureSuccessStatusCode();
        return (await RawMcp.ReadMessageAsync(response, Ct)).GetProperty("result");
    }

    /// <summary>Its own deployment: this test kills the cache.</summary>
    public sealed class Deployment : IAsyncLifetime
    {
        private readonly SharedStateFixture _inner = new();

        internal HostProcess FrontEnd => _inner.FrontEnd;

        internal HostProcess WorkerA => _inner.WorkerA;

        public Task KillCacheAsync() => _inner.KillCacheAsync();

        public Task StartCacheAsync(CancellationToken cancellationToken) => _inner.StartCacheAsync(cancellationToken);

        public Task<ModelContextProtocol.Client.McpClient> ConnectSidecarAsync(CancellationToken cancellationToken) => _inner.ConnectSidecarAsync(cancellationToken);

        public ValueTask InitializeAsync() => _inner.InitializeAsync();

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
