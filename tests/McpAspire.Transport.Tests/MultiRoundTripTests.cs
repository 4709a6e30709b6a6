using System.Net;
using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Transport.Tests;

/// <summary>
/// Multi round-trip requests (2026-07-28) across replicas: a tool that needs the user's confirmation answers with an
/// input-required result and a sealed request state on one replica, and the second round, on another, carries the answer
/// and the state back. Every replica opens a state any other sealed (the key ring is in Redis); nobody can forge, read,
/// replay or move one; and the same tool is served to a 2025-era session by a classic elicitation request.
/// </summary>
public sealed class MultiRoundTripTests(SharedStateFixture state) : IClassFixture<SharedStateFixture>
{
    private const string Confirmed = """{"confirm":true}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Uri A => new(state.WorkerA.BaseUri, "/mcp");

    private Uri B => new(state.WorkerB.BaseUri, "/mcp");

    [Fact]
    public async Task NotesClear_AskedOnOneReplica_ConfirmedOnTheOther_DeletesEveryNote()
    {
        using var http = new HttpClient();
        await PutNotesAsync("one", "two");

        var asked = await SendAsync(http, ModernMcp.ToolCall(A, 1, "notes_clear"));
        Assert.Equal("input_required", asked.ResultType());
        var confirm = asked.GetProperty("result").GetProperty("inputRequests").GetProperty("confirm");
        Assert.Equal("elicitation/create", confirm.GetProperty("method").GetString());
        Assert.Equal("Delete all 2 of your notes? This cannot be undone.", confirm.GetProperty("params").GetProperty("message").GetString());
        Assert.Equal(2, await NoteCountAsync());

        var done = await SendAsync(http, ModernMcp.ToolCall(B, 2, "notes_clear", inputResponses: ModernMcp.Accept("confirm", Confirmed), requestState: asked.RequestState()));

        Assert.Equal("complete", done.ResultType());
        Assert.Equal("Deleted 2 note(s).", done.ToolText());
        Assert.Equal(0, await NoteCountAsync());
    }

    [Fact]
    public async Task NotesClear_Declined_DeletesNothing()
    {
        using var http = new HttpClient();
        await PutNotesAsync("kept");
        var asked = await SendAsync(http, ModernMcp.ToolCall(A, 1, "notes_clear"));

        var done = await SendAsync(http, ModernMcp.ToolCall(B, 2, "notes_clear", inputResponses: """{"confirm":{"action":"decline"}}""", requestState: asked.RequestState()));

        Assert.Equal("Nothing was deleted: the user did not confirm.", done.ToolText());
        Assert.Equal(1, await NoteCountAsync());
    }

    [Theory]
    [InlineData("tampered", "invalid")]
    [InlineData("truncated", "invalid")]
    [InlineData("not-base64", "invalid")]
    [InlineData("huge", "too-large")]
    [InlineData("replayed", "already-used")]
    [InlineData("other-tool", "other-request")]
    public async Task BadRequestState_IsRefusedWithItsReason_AndNothingRuns(string @case, string reason)
    {
        using var http = new HttpClient();
        await PutNotesAsync("kept");
        var sealedState = (await SendAsync(http, ModernMcp.ToolCall(A, 1, "notes_clear"))).RequestState();
        var tool = "notes_clear";
        switch (@case)
        {
            case "tampered":
                var middle = sealedState.Length / 2;
                sealedState = string.Concat(sealedState.AsSpan(0, middle), sealedState[middle] == 'A' ? "B" : "A", sealedState.AsSpan(middle + 1));
                break;
            case "truncated":
                sealedState = sealedState[..^8];
                break;
            case "not-base64":
                sealedState = "!!! not a state ~~~";
                break;
            case "huge":
                sealedState = new string('A', 20_000);
                break;
            case "replayed":
                var first = await SendAsync(http, ModernMcp.ToolCall(B, 2, tool, inputResponses: ModernMcp.Accept("confirm", Confirmed), requestState: sealedState));
                Assert.Equal("Deleted 1 note(s).", first.ToolText());
                await PutNotesAsync("kept");
                break;
            case "other-tool":
                tool = "notes_summarize";
                break;
        }

        var refused = await SendAsync(http, ModernMcp.ToolCall(B, 3, tool, inputResponses: ModernMcp.Accept("confirm", Confirmed), requestState: sealedState), HttpStatusCode.OK);

        Assert.Equal(-32602, refused.ErrorCode());
        Assert.Equal(reason, refused.Reason());
        Assert.Equal(1, await NoteCountAsync());
    }

    [Fact]
    public async Task StateFromAnotherDeployment_IsRefused()
    {
        using var http = new HttpClient();
        await PutNotesAsync("kept");
        var other = new Dictionary<string, string>(state.Environment) { ["McpAspire__State__KeyPrefix"] = $"o{Guid.NewGuid():N}"[..16] };
        await using var elsewhere = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), other, Ct);
        var foreign = (await SendAsync(http, ModernMcp.ToolCall(new Uri(elsewhere.BaseUri, "/mcp"), 1, "notes_clear"))).RequestState();

        var refused = await SendAsync(http, ModernMcp.ToolCall(A, 2, "notes_clear", inputResponses: ModernMcp.Accept("confirm", Confirmed), requestState: foreign), HttpStatusCode.OK);

        Assert.Equal("invalid", refused.Reason());
        Assert.Equal(1, await NoteCountAsync());
    }

    [Fact]
    public async Task EveryReplicaRestartedBetweenTheRounds_TheStateStillOpens()
    {
        using var http = new HttpClient();
        await PutNotesAsync("one");
        var sealedState = (await SendAsync(http, ModernMcp.ToolCall(A, 1, "notes_clear"))).RequestState();

        await state.RestartWorkersAsync(Ct);

        var done = await SendAsync(http, ModernMcp.ToolCall(B, 2, "notes_clear", inputResponses: ModernMcp.Accept("confirm", Confirmed), requestState: sealedState));
        Assert.Equal("Deleted 1 note(s).", done.ToolText());
    }

    [Fact]
    public async Task ClientWithoutElicitation_Gets32021And400_AndNothingChanges()
    {
        using var http = new HttpClient();
        await PutNotesAsync("kept");

        var refused = await SendAsync(http, ModernMcp.ToolCall(A, 1, "notes_clear", capabilities: """{"sampling":{}}"""), HttpStatusCode.BadRequest);

        Assert.Equal(-32021, refused.ErrorCode());
        Assert.Equal(JsonValueKind.Object, refused.GetProperty("error").GetProperty("data").GetProperty("requiredCapabilities").GetProperty("elicitation").ValueKind);
        Assert.Equal(1, await NoteCountAsync());
    }

    [Fact]
    public async Task SdkClient_ThroughARoundRobinBalancer_ClearsOnceTheUserConfirms()
    {
        await using var proxy = await RoundRobinProxy.StartAsync([state.WorkerA.BaseUri, state.WorkerB.BaseUri], Ct);
        await PutNotesAsync("one", "two", "three");
        var asked = new List<string>();
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(proxy.BaseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
            ConfirmingClient(asked), cancellationToken: Ct);

        var result = await client.CallToolAsync("notes_clear", cancellationToken: Ct);

        Assert.Equal("Deleted 3 note(s).", result.Text());
        Assert.Equal(["Delete all 3 of your notes? This cannot be undone."], asked);
        Assert.True(proxy.RequestsPerReplica.Count == 2, string.Join(", ", proxy.RequestsPerReplica.Select(r => $"{r.Key}: {r.Value}")));
    }

    [Fact]
    public async Task SdkClientOf2025_OnAStatefulSession_IsAskedByAClassicElicitationRequest()
    {
        await PutNotesAsync("one");
        var asked = new List<string>();
        var options = ConfirmingClient(asked);
        options.ProtocolVersion = "2025-11-25";
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(state.FrontEnd.BaseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
            options, cancellationToken: Ct);

        var result = await client.CallToolAsync("notes_clear", cancellationToken: Ct);

        Assert.Equal("2025-11-25", client.NegotiatedProtocolVersion);
        Assert.Equal("Deleted 1 note(s).", result.Text());
        Assert.Equal(["Delete all 1 of your notes? This cannot be undone."], asked);
    }

#pragma warning disable MCP9005 // Sampling and roots are deprecated as of 2026-07-28 and still served: this client answers both.
    [Fact]
    public async Task Sidecar_NotesSummarize_AsksTheClientsModel_AndClientRoots_AsksForItsRoots()
    {
        await PutNotesAsync("groceries");
        var environment = state.Environment;
        await using var sidecar = await McpClient.CreateAsync(
            new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "sidecar",
                Command = "dotnet",
                Arguments = [RepoLayout.ProjectDll("McpAspire.StdioSidecar")],
                EnvironmentVariables = environment.ToDictionary(e => e.Key, e => (string?)e.Value),
            }),
            new McpClientOptions
            {
                Capabilities = new ClientCapabilities { Roots = new RootsCapability() },
                Handlers = new McpClientHandlers
                {
                    SamplingHandler = (request, _, _) => ValueTask.FromResult(new CreateMessageResult
                    {
                        Role = Role.Assistant,
                        Model = "test-model",
                        Content = [new TextContentBlock { Text = $"A summary of {request!.Messages.Count} message(s)." }],
                    }),
                    RootsHandler = (_, _) => ValueTask.FromResult(new ListRootsResult { Roots = [new Root { Uri = "file:///work", Name = "work" }] }),
                },
            },
            cancellationToken: Ct);

        var summary = await sidecar.CallToolAsync("notes_summarize", cancellationToken: Ct);
        var roots = await sidecar.CallToolAsync("client_roots", cancellationToken: Ct);

        Assert.Equal("A summary of 1 message(s).", summary.Text());
        Assert.Equal("file:///work (work)", roots.Text());
    }
#pragma warning restore MCP9005

    private static McpClientOptions ConfirmingClient(List<string> asked) => new()
    {
        ClientInfo = new Implementation { Name = Clients.ClientName, Version = "1.0.0" },
        Handlers = new McpClientHandlers
        {
            ElicitationHandler = (request, _) =>
            {
                lock (asked)
                {
                    asked.Add(request!.Message);
                }

                return ValueTask.FromResult(new ElicitResult { Action = "accept", Content = new Dictionary<string, JsonElement> { ["confirm"] = JsonSerializer.SerializeToElement(true) } });
            },
        },
    };

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpRequestMessage request, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using (request)
        using (var response = await http.SendAsync(request, Ct))
        {
            var message = await RawMcp.ReadMessageAsync(response, Ct);
            Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {message.Json()}");
            return message;
        }
    }

    /// <summary>Replaces the caller's notes with these, through the worker.</summary>
    private async Task PutNotesAsync(params string[] names)
    {
        await using var client = await SharedStateFixture.ConnectAsync(A, HttpTransportMode.StreamableHttp, Ct);
        foreach (var note in JsonDocument.Parse((await client.CallToolAsync("notes_list", cancellationToken: Ct)).Text()).RootElement.EnumerateArray())
        {
            await client.CallToolAsync("notes_delete", new Dictionary<string, object?> { ["name"] = note.GetProperty("name").GetString() }, cancellationToken: Ct);
        }

        foreach (var name in names)
        {
            var put = await client.CallToolAsync("notes_put", new Dictionary<string, object?> { ["name"] = name, ["content"] = $"note {name}" }, cancellationToken: Ct);
            Assert.NotEqual(true, put.IsError);
        }
    }

    private async Task<int> NoteCountAsync()
    {
        await using var client = await SharedStateFixture.ConnectAsync(B, HttpTransportMode.StreamableHttp, Ct);
        return JsonDocument.Parse((await client.CallToolAsync("notes_list", cancellationToken: Ct)).Text()).RootElement.GetArrayLength();
    }
}
