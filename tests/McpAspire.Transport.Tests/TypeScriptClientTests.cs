using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>The official TypeScript SDK client (js/ts-client.mjs) against all four endpoints.</summary>
public sealed class TypeScriptClientTests(HostsFixture hosts)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(TransportKind.Stdio, "stdio")]
    [InlineData(TransportKind.LegacySse, "sse")]
    [InlineData(TransportKind.StatefulHttp, "streamable-http")]
    [InlineData(TransportKind.StatelessHttp, "streamable-http")]
    public async Task TypeScriptSdkClient_UsesEveryToolResourceAndPrompt(TransportKind kind, string transport)
    {
        string[] target = kind switch
        {
            TransportKind.Stdio => ["stdio", "dotnet", RepoLayout.ProjectDll("McpAspire.StdioSidecar")],
            TransportKind.LegacySse => ["sse", new Uri(hosts.FrontEndUri, "/sse").ToString()],
            TransportKind.StatefulHttp => ["streamable-http", new Uri(hosts.FrontEndUri, "/mcp").ToString()],
            _ => ["streamable-http", new Uri(hosts.WorkerUri, "/mcp").ToString()],
        };

        var run = await NodeTooling.RunNodeAsync(["ts-client.mjs", .. target], Timeout, Ct);

        Assert.True(run.ExitCode == 0, run.Output);
        var report = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("McpAspire", report.GetProperty("server").GetProperty("name").GetString());
        Assert.Contains("notes_put", report.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(kind is TransportKind.Stdio, report.GetProperty("tools").EnumerateArray().Any(t => t.GetString() == "read_file"));
        Assert.Equal("hello from TypeScript", report.GetProperty("echo").GetString());
        Assert.Equal("42", report.GetProperty("add").GetString());
        Assert.True(report.GetProperty("badAdd").GetProperty("isError").GetBoolean());
        Assert.Contains("argument 'a'", report.GetProperty("badAdd").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.False(report.GetProperty("put").GetBoolean());
        Assert.Equal("written by TS", JsonDocument.Parse(report.GetProperty("get").GetString()!).RootElement.GetProperty("content").GetString());
        Assert.Equal("written by TS", report.GetProperty("resource").GetString());
        Assert.True(report.GetProperty("prompt").GetBoolean());
        Assert.Equal(transport, report.GetProperty("whoami").GetProperty("transport").GetString());
        // A 2025-era client names itself only in initialize, which the stateless worker does not remember.
        Assert.Equal(kind is TransportKind.StatelessHttp ? null : "ts-sdk-client", report.GetProperty("whoami").GetProperty("clientName").GetString());
        Assert.Equal("Completed 3 steps.", report.GetProperty("longRunning").GetString());
        Assert.Equal([1, 2, 3], report.GetProperty("wireProgress").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Subset(new HashSet<int>([1, 2, 3]), report.GetProperty("progress").EnumerateArray().Select(p => p.GetInt32()).ToHashSet());
    }
}
