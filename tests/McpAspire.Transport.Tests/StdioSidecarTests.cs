using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>The sidecar as a desktop client sees it: stdout is protocol only, it exits cleanly, and read_file stays in its roots.</summary>
public sealed class StdioSidecarTests(HostsFixture hosts)
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stdout_CarriesOnlyJsonRpc_EvenWithTraceLogging()
    {
        await using var sidecar = RawSidecar.Start(new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Trace" });

        await sidecar.InitializeAsync();
        await sidecar.SendAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}""");
        var initialize = await sidecar.ReadResponseAsync(1, Ct);
        var echo = await sidecar.ReadResponseAsync(2, Ct);
        sidecar.CloseStdin();
        var exitCode = await sidecar.WaitForExitAsync(ExitTimeout);

        Assert.Equal("McpAspire", initialize.GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString());
        Assert.Equal("hi", echo.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.All(sidecar.RemainingStdout(), line => Assert.Equal("2.0", JsonDocument.Parse(line).RootElement.GetProperty("jsonrpc").GetString()));
        Assert.Contains(sidecar.Stderr, line => line.StartsWith("trce:", StringComparison.Ordinal) || line.StartsWith("dbug:", StringComparison.Ordinal));
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task StdinClosed_ExitsWithCodeZero()
    {
        await using var sidecar = RawSidecar.Start();
        await sidecar.InitializeAsync();
        await sidecar.ReadResponseAsync(1, Ct);

        sidecar.CloseStdin();

        Assert.Equal(0, await sidecar.WaitForExitAsync(ExitTimeout));
    }

    [Fact]
    public async Task Sigterm_ExitsWithCodeZero()
    {
        await using var sidecar = RawSidecar.Start();
        await sidecar.InitializeAsync();
        await sidecar.ReadResponseAsync(1, Ct);

        await sidecar.TerminateAsync();

        Assert.Equal(0, await sidecar.WaitForExitAsync(ExitTimeout));
    }

    [Fact]
    public async Task ConcurrentRequests_AreAnsweredAsTheyFinish_MatchedById()
    {
        await using var sidecar = RawSidecar.Start();
        await sidecar.InitializeAsync();
        await sidecar.ReadResponseAsync(1, Ct);

        await sidecar.SendAsync("""{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"long_running","arguments":{"steps":2,"delayMs":300}}}""");
        await sidecar.SendAsync("""{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"echo","arguments":{"message":"fast"}}}""");

        var first = await sidecar.ReadAsync(Ct);
        var second = await sidecar.ReadAsync(Ct);
        Assert.Equal(11, first.GetProperty("id").GetInt32());
        Assert.Equal(10, second.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task GarbageLine_IsDroppedAndLogged_AndTheNextRequestIsServed()
    {
        await using var sidecar = RawSidecar.Start();
        await sidecar.InitializeAsync();
        await sidecar.ReadResponseAsync(1, Ct);

        await sidecar.SendAsync("this is not json");
        await sidecar.SendAsync("""[{"jsonrpc":"2.0","id":20,"method":"ping"}]""");
        await sidecar.SendAsync("""{"jsonrpc":"2.0","id":21,"method":"ping"}""");

        // The SDK's stdio transport answers no parse error (there is no id to answer); the next message is the ping's result.
        var next = await sidecar.ReadAsync(Ct);
        Assert.Equal(21, next.GetProperty("id").GetInt32());
        Assert.True(next.TryGetProperty("result", out _));
        await Until.TrueAsync(() => sidecar.Stderr.Count(line => line.Contains("message parsing failed", StringComparison.Ordinal)) == 2, () => "two parse failures logged", Ct);
    }

    [Fact]
    public async Task InitializeWithWrongParamTypes_IsInvalidParamsNamingTheMember()
    {
        await using var sidecar = RawSidecar.Start();

        await sidecar.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":5,"capabilities":[],"clientInfo":"x"}}""");
        var error = await sidecar.ReadResponseAsync(1, Ct);
        await sidecar.InitializeAsync();
        var retry = await sidecar.ReadResponseAsync(1, Ct);

        Assert.Equal(-32602, error.ErrorCode());
        Assert.Equal("Invalid params: '$.protocolVersion' of initialize has the wrong type or value.", error.ErrorMessage());
        Assert.Equal("McpAspire", retry.GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString());
    }

    [Fact]
    public async Task ReadFile_UnderARoot_ReturnsTheContent()
    {
        await using var client = await Clients.ConnectAsync(hosts, TransportKind.Stdio, Ct);

        var result = await client.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = "hello.txt" }, cancellationToken: Ct);

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("hello from disk", result.Text());
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../../../../../etc/passwd")]
    public async Task ReadFile_OutsideTheRoots_IsRefused(string path)
    {
        await using var client = await Clients.ConnectAsync(hosts, TransportKind.Stdio, Ct);

        var result = await client.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = path }, cancellationToken: Ct);

        Assert.True(result.IsError);
        Assert.Equal($"An error occurred invoking 'read_file': Argument 'path' is outside the allowed roots ({hosts.FileRoot.FullName}).", result.Text());
    }
}
