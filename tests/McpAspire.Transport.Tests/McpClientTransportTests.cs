using System.Collections.Concurrent;
using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Transport.Tests;

/// <summary>The SDK's own client against every host over every transport: the same tools answer the same way.</summary>
public sealed class McpClientTransportTests(HostsFixture hosts)
{
    private static readonly string[] RemoteTools =
        ["add", "client_roots", "echo", "long_running", "notes_clear", "notes_delete", "notes_get", "notes_list", "notes_put", "notes_summarize", "rate_limit_status", "whoami"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<TransportKind> AllTransports => new(Enum.GetValues<TransportKind>());

    [Theory, MemberData(nameof(AllTransports))]
    public async Task Initialize_IdentifiesTheServerAndNegotiatesAVersion(TransportKind kind)
    {
        await using var client = await Clients.ConnectAsync(hosts, kind, Ct);

        Assert.Equal("McpAspire", client.ServerInfo?.Name);
        Assert.False(string.IsNullOrEmpty(client.NegotiatedProtocolVersion));
        Assert.NotNull(client.ServerCapabilities.Tools);
        Assert.NotNull(client.ServerCapabilities.Prompts);
        Assert.NotNull(client.ServerCapabilities.Resources);
    }

    [Theory, MemberData(nameof(AllTransports))]
    public async Task ListTools_ListsTheToolSet_WithReadFileOnlyOnStdio(TransportKind kind)
    {
        await using var client = await Clients.ConnectAsync(hosts, kind, Ct);

        var tools = (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).Order(StringComparer.Ordinal);

        string[] expected = kind is TransportKind.Stdio ? [.. RemoteTools.Append("read_file").Order(StringComparer.Ordinal)] : RemoteTools;
        Assert.Equal(expected, tools);
    }

    [Theory, MemberData(nameof(AllTransports))]
    public async Task EchoAndAdd_RoundTrip(TransportKind kind)
    {
        await using var client = await Clients.ConnectAsync(hosts, kind, Ct);

        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "héllo ✓" }, cancellationToken: Ct);
        var add = await client.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = 40, ["b"] = 2 }, cancellationToken: Ct);

        Assert.Equal("héllo ✓", echo.Text());
        Assert.Equal("42", add.Text());
        Assert.NotEqual(true, add.IsError);
    }

    [Theory, MemberData(nameof(AllTransports))]
    public async Task Notes_WrittenAreReadBackAsToolResourceAndPrompt_ThenDeleted(TransportKind kind)
    {
        await using var client = await Clients.ConnectAsync(hosts, kind, Ct);
        var name = $"note-{kind}-{Guid.NewGuid():N}";

        var put = await client.CallToolAsync("notes_put", new Dictionary<string, object?> { ["name"] = name, ["content"] = "remember the milk" }, cancellationToken: Ct);
        Assert.NotEqual(true, put.IsError);

        var get = await client.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = name }, cancellationToken: Ct);
        Assert.Equal("remember the milk", JsonDocument.Parse(get.Text()).RootElement.GetProperty("content").GetString());

        var list = await client.CallToolAsync("notes_list", cancellationToken: Ct);
        Assert.Contains(name, list.Text(), StringComparison.Ordinal);

        var resource = await client.ReadResourceAsync($"note://{name}", cancellationToken: Ct);
        Assert.Equal("remember the milk", Assert.IsType<TextResourceContents>(Assert.Single(resource.Contents)).Text);

        var listed = await client.ListResourcesAsync(cancellationToken: Ct);
        Assert.Contains(listed, r => r.Uri == $"note://{name}");

        var prompt = await client.GetPromptAsync("summarize_notes", cancellationToken: Ct);
        Assert.Contains("remember the milk", Assert.IsType<TextContentBlock>(Assert.Single(prompt.Messages).Content).Text, StringComparison.Ordinal);

        var delete = await client.CallToolAsync("notes_delete", new Dictionary<string, object?> { ["name"] = name }, cancellationToken: Ct);
        Assert.Equal("true", delete.Text());

        var gone = await client.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = name }, cancellationToken: Ct);
        Assert.True(gone.IsError);
        Assert.Contains($"No note named '{name}'", gone.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TransportKind.Stdio, "stdio", true)]
    [InlineData(TransportKind.LegacySse, "sse", true)]
    [InlineData(TransportKind.StatefulHttp, "streamable-http", true)]
    [InlineData(TransportKind.StatelessHttp, "streamable-http", false)]
    public async Task WhoAmI_ReportsTransportSessionAndClient(TransportKind kind, string transport, bool hasSession)
    {
        await using var client = await Clients.ConnectAsync(hosts, kind, Ct);

        var result = await client.CallToolAsync("whoami", cancellationToken: Ct);

        var caller = result.StructuredContent!.Value;
        Assert.Equal(transport, caller.GetProperty("transport").GetString());
        Assert.Equal(kind is TransportKind.Stdio ? "local-user" : "anonymous", caller.GetProperty("principal").GetString());
        Assert.Equal(Clients.ClientName, caller.GetProperty("clientName").GetString());
        Assert.Equal(client.NegotiatedProtocolVersion, caller.GetProperty("protocolVersion").GetString());
        Assert.False(string.IsNullOrEmpty(caller.GetProperty("instanceId").GetString()));
        if (kind is TransportKind.StatefulHttp)
        {
            Assert.Equal(client.SessionId, caller.GetProperty("sessionId").GetString());
        }
        else if (hasSession)
        {
            // The legacy SSE client never learns the server's session id beyond the endpoint URL; stdio has one per process.
            Assert.False(string.IsNullOrEmpty(caller.GetProperty("sessionId").GetString()));
        }
        else if (!hasSession)
        {
            Assert.Equal(JsonValueKind.Null, caller.GetProperty("sessionId").ValueKind);
        }
    }

    [Theory, MemberData(nameof(AllTransports))]
    public async Task LongRunning_SendsAProgressNotificationForEveryStep(TransportKind kind)
    {
        await using var client = await Clients.ConnectAsync(hosts, kind, Ct);
        // Counted by a session-wide handler: the per-call IProgress is unregistered when the result arrives, and the
        // SDK client dispatches notifications concurrently, so it can miss the last one even though the server sent it.
        var received = new ConcurrentQueue<ProgressNotificationParams>();
        await using var _ = client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (notification, _) =>
        {
            received.Enqueue(JsonSerializer.Deserialize<ProgressNotificationParams>(notification.Params, McpJsonUtilities.DefaultOptions)!);
            return ValueTask.CompletedTask;
        });

        var result = await client.CallToolAsync(
            "long_running", new Dictionary<string, object?> { ["steps"] = 5, ["delayMs"] = 10 }, new CollectingProgress(), cancellationToken: Ct);

        Assert.Equal("Completed 5 steps.", result.Text());
        await Until.TrueAsync(() => received.Count == 5, () => $"five progress notifications (have {received.Count})", Ct);
        Assert.Equal([1f, 2f, 3f, 4f, 5f], received.Select(p => p.Progress.Progress).Order());
        Assert.All(received, p => Assert.Equal(5f, p.Progress.Total));
        Assert.Single(received.Select(p => p.ProgressToken).Distinct());
    }

    [Theory, MemberData(nameof(AllTransports))]
    public async Task LongRunning_CancelledByTheClient_EndsTheCallAndTheSessionKeepsServing(TransportKind kind)
    {
        await using var client = await Clients.ConnectAsync(hosts, kind, Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new CollectingProgress(onFirst: cts.Cancel);

        var call = client.CallToolAsync(
            "long_running", new Dictionary<string, object?> { ["steps"] = 1000, ["delayMs"] = 50 }, progress, cancellationToken: cts.Token).AsTask();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "still here" }, cancellationToken: Ct);
        Assert.Equal("still here", echo.Text());
    }

    [Theory, MemberData(nameof(AllTransports))]
    public async Task BadToolArguments_GiveAToolErrorNamingTheArgument(TransportKind kind)
    {
        await using var client = await Clients.ConnectAsync(hosts, kind, Ct);

        var wrongType = await client.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = "forty", ["b"] = 2 }, cancellationToken: Ct);
        var missing = await client.CallToolAsync("echo", new Dictionary<string, object?>(), cancellationToken: Ct);
        var badName = await client.CallToolAsync("notes_put", new Dictionary<string, object?> { ["name"] = "../etc/passwd", ["content"] = "x" }, cancellationToken: Ct);

        Assert.True(wrongType.IsError);
        Assert.Equal("Invalid arguments for tool 'add': argument 'a': Value is \"string\" but should be \"integer\"", wrongType.Text());
        Assert.True(missing.IsError);
        Assert.Equal("Invalid arguments for tool 'echo': Required properties [\"message\"] are not present", missing.Text());
        Assert.True(badName.IsError);
        Assert.Contains("Argument 'name' must be 1-64 characters", badName.Text(), StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(AllTransports))]
    public async Task UnknownTool_IsAnInvalidParamsError(TransportKind kind)
    {
        await using var client = await Clients.ConnectAsync(hosts, kind, Ct);

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("no_such_tool", cancellationToken: Ct).AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
    }

    [Theory, MemberData(nameof(AllTransports))]
    public async Task RateLimitStatus_ReportsTheLimitForEveryTool_FromTheLimiterOfTheHostsBackend(TransportKind kind)
    {
        // The front-end scales out, on Redis (HostsFixture); the worker and the sidecar keep their limits in memory.
        var source = kind is TransportKind.LegacySse or TransportKind.StatefulHttp ? "redis" : "local";
        await using var client = await Clients.ConnectAsync(hosts, kind, Ct);

        var report = (await client.CallToolAsync("rate_limit_status", cancellationToken: Ct)).StructuredContent!.Value;
        var one = (await client.CallToolAsync("rate_limit_status", new Dictionary<string, object?> { ["tool"] = "echo" }, cancellationToken: Ct)).StructuredContent!.Value;

        var limits = report.GetProperty("limits").EnumerateArray().ToList();
        Assert.Contains(limits, l => l.GetProperty("tool").GetString() == "notes_put");
        Assert.All(limits, l => Assert.Equal(source, l.GetProperty("source").GetString()));
        Assert.All(limits, l => Assert.True(l.GetProperty("enforced").GetBoolean()));
        var echo = Assert.Single(one.GetProperty("limits").EnumerateArray());
        Assert.Equal("echo", echo.GetProperty("tool").GetString());
        Assert.Equal(600, echo.GetProperty("limit").GetInt32());
    }

    internal sealed class CollectingProgress(Action? onFirst = null) : IProgress<ProgressNotificationValue>
    {
        private readonly ConcurrentQueue<ProgressNotificationValue> _values = new();

        public IReadOnlyCollection<ProgressNotificationValue> Values => _values;

        public void Report(ProgressNotificationValue value)
        {
            _values.Enqueue(value);
            if (_values.Count == 1)
            {
                onFirst?.Invoke();
            }
        }
    }
}
