using System.Text.Json.Nodes;
using McpAspire.Testing;
using ModelContextProtocol.Client;

namespace McpAspire.Transport.Tests;

/// <summary>
/// What an operator sees of clients' mistakes: nothing at Warning or Error, and why in the access log. A missing note, a
/// refused <c>requestState</c>, a method without the capability it needs are the client's doing; the SDK's lines about
/// them are at Debug, without a stack, and each request's access-log line names its refusal.
/// </summary>
[Collection(SharedStateGroup.Name)]
public sealed class OperatorLogTests(SharedStateFixture state)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ClientMistakes_AreNotWarningsOrErrors_AtDebugWithoutAStack_AndTheAccessLogSaysWhy()
    {
        var environment = new Dictionary<string, string>(state.Environment) { ["Logging__LogLevel__ModelContextProtocol.Server.McpServer"] = "Debug" };
        await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, Ct);
        var mcp = new Uri(worker.BaseUri, "/mcp");
        var started = worker.Output.Length;
        using var http = new HttpClient();

        await using (var client = await SharedStateFixture.ConnectAsync(mcp, HttpTransportMode.StreamableHttp, Ct))
        {
            var missing = await client.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = "no-such-note" }, cancellationToken: Ct);
            Assert.True(missing.IsError);
        }

        var forged = await ReadAsync(http, ModernMcp.ToolCall(mcp, 2, "notes_clear", inputResponses: ModernMcp.Accept("confirm", """{"confirm":true}"""), requestState: "!!! not a state ~~~"));
        Assert.Equal(-32602, forged.ErrorCode());
        var withoutCapability = await ReadAsync(http, ModernMcp.Request(mcp, 3, "tasks/get", "some-task", new JsonObject { ["taskId"] = "some-task", ["_meta"] = ModernMcp.Meta("{}") }));
        Assert.Equal(-32021, withoutCapability.ErrorCode());

        // The SDK did log each, at Debug and without a stack (the exception's type and message only), and each refusal's
        // access-log line says why.
        string[] refusals =
        [
            "method=tools/call tool=notes_get refused=tool-error ",
            "method=tools/call tool=notes_clear refused=request-state:invalid(-32602) ",
            "method=tasks/get tool= refused=missing-capability(-32021) ",
        ];
        var lines = await Until.ValueAsync(() => Task.FromResult(worker.Output[started..].Split(Environment.NewLine)),
            output => output.Count(line => line.StartsWith("dbug: ModelContextProtocol", StringComparison.Ordinal) && line.Contains("Exception: ", StringComparison.Ordinal)) >= 3
                && refusals.All(refusal => output.Any(line => line.Contains(refusal, StringComparison.Ordinal))),
            output => $"the SDK's three lines at Debug and three refusals in the access log:{Environment.NewLine}{string.Join(Environment.NewLine, output)}", Ct);
        Assert.Contains(lines, line => line.StartsWith("dbug: ModelContextProtocol", StringComparison.Ordinal) && line.Contains("No note named 'no-such-note'", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.All(refusals, refusal => Assert.Single(lines, line => line.Contains(refusal, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TelemetryExports_LeaveNoLineInTheLog()
    {
        using var sink = new OtlpSink();
        var environment = new Dictionary<string, string>(state.Environment);
        foreach (var (name, value) in sink.Environment())
        {
            environment[name] = value;
        }

        await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, Ct);
        var started = worker.Output.Length;

        // Exports went out through the host's HttpClient (with its resilience handler), several of them.
        await Until.TrueAsync(() => sink.Exports >= 5, () => $"five exports ({sink.Summary()})", Ct, TimeSpan.FromSeconds(30));
        var output = worker.Output[started..];
        Assert.False(output.Contains("Polly", StringComparison.Ordinal), output);
    }

    private static async Task<System.Text.Json.JsonElement> ReadAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (var response = await http.SendAsync(request, Ct))
        {
            return await RawMcp.ReadMessageAsync(response, Ct);
        }
    }
}
