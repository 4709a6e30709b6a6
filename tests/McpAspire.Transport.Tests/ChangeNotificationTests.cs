using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Transport.Tests;

/// <summary>
/// Change notifications on any replica: a <c>subscriptions/listen</c> stream (2026-07-28) on one worker hears every write
/// of a note it watches, made through another worker, the sidecar or the front-end, once each, for its own principal only;
/// a 2025 client subscribed on the front-end hears a write made on a worker; a draining replica ends its streams cleanly
/// and the client listens again elsewhere; a principal's streams per replica are capped with a clear refusal.
/// </summary>
[Collection(SharedStateGroup.Name)]
public sealed class ChangeNotificationTests(SharedStateFixture state)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListenStreamOnOneWorker_HearsEveryWriteOfItsNote_FromEveryTransport_OnceEach_ForItsPrincipalOnly()
    {
        var watched = $"watched-{Guid.NewGuid():N}"[..20];
        using var http = new HttpClient();
        using var listen = await ListenAsync(http, new Uri(state.WorkerA.BaseUri, "/mcp"), 41, [$"note://{watched}"]);

        await PutAsync(await SharedStateFixture.ConnectAsync(new Uri(state.WorkerB.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp, Ct), watched, "through worker B");
        await using (var sidecar = await state.ConnectSidecarAsync(Ct))
        {
            await PutAsync(sidecar, watched, "through the sidecar");
        }

        await PutAsync(await SharedStateFixture.ConnectAsync(new Uri(state.FrontEnd.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp, Ct), watched, "through the front-end");
        await PutAsync(await SharedStateFixture.ConnectAsync(new Uri(state.WorkerB.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp, Ct), "unwatched", "another note");
        var someoneElse = new Dictionary<string, string>(state.Environment) { ["McpAspire__LocalPrincipal"] = "someone-else" };
        await using (var otherSidecar = await Clients.ConnectSidecarAsync(someoneElse, Ct))
        {
            await PutAsync(otherSidecar, watched, "another principal's note of the same name");
        }

        // A last write of the watched note: everything published before it has been delivered once it arrives.
        await PutAsync(await SharedStateFixture.ConnectAsync(new Uri(state.WorkerB.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp, Ct), watched, "last");

        var heard = new List<JsonElement>();
        for (var i = 0; i < 4; i++)
        {
            heard.Add(await listen.ReadMessageAsync(Ct));
        }

        Assert.All(heard, message =>
        {
            Assert.Equal("notifications/resources/updated", message.GetProperty("method").GetString());
            Assert.Equal($"note://{watched}", message.GetProperty("params").GetProperty("uri").GetString());
            Assert.Equal(41, message.GetProperty("params").GetProperty("_meta").GetProperty("io.modelcontextprotocol/subscriptionId").GetInt32());
        });
        await Assert.ThrowsAsync<TimeoutException>(() => listen.ReadMessageAsync(Ct, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task ListenForListChanges_HearsANoteCreatedAndDeleted_NotOneOverwritten()
    {
        var name = $"listed-{Guid.NewGuid():N}"[..20];
        using var http = new HttpClient();
        using var listen = await ListenAsync(http, new Uri(state.WorkerB.BaseUri, "/mcp"), 42, [], listChanged: true);
        await using var worker = await SharedStateFixture.ConnectAsync(new Uri(state.WorkerA.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp, Ct);

        await CallAsync(worker, "notes_put", new() { ["name"] = name, ["content"] = "created" });
        await CallAsync(worker, "notes_put", new() { ["name"] = name, ["content"] = "overwritten" });
        await CallAsync(worker, "notes_delete", new() { ["name"] = name });

        Assert.Equal("notifications/resources/list_changed", (await listen.ReadMessageAsync(Ct)).GetProperty("method").GetString());
        Assert.Equal("notifications/resources/list_changed", (await listen.ReadMessageAsync(Ct)).GetProperty("method").GetString());
        await Assert.ThrowsAsync<TimeoutException>(() => listen.ReadMessageAsync(Ct, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task ClientOf2025_SubscribedOnTheFrontEnd_HearsAWriteMadeOnAWorker()
    {
        var name = $"sub2025-{Guid.NewGuid():N}"[..20];
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var frontEnd = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(state.FrontEnd.BaseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
            new McpClientOptions { ProtocolVersion = "2025-11-25" }, cancellationToken: Ct);
        await frontEnd.SubscribeToResourceAsync($"note://{name}", (update, _) =>
        {
            heard.TrySetResult(update.Uri);
            return ValueTask.CompletedTask;
        }, cancellationToken: Ct);

        await PutAsync(await SharedStateFixture.ConnectAsync(new Uri(state.WorkerA.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp, Ct), name, "from the worker");

        Assert.Equal($"note://{name}", await heard.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task ReplicaDrained_TheListenStreamEndsCleanly_AndTheClientListensAgainOnAnother()
    {
        var name = $"drained-{Guid.NewGuid():N}"[..20];
        await using var draining = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), state.Environment, Ct);
        using var http = new HttpClient();
        using (var listen = await ListenAsync(http, new Uri(draining.BaseUri, "/mcp"), 43, [$"note://{name}"]))
        {
            Assert.Equal(0, await draining.TerminateAsync(TimeSpan.FromSeconds(30)));

            // The listen request is answered (an empty result) and the stream ends.
            var answer = await listen.ReadMessageAsync(Ct);
            Assert.Equal(43, answer.GetProperty("id").GetInt32());
            Assert.True(answer.TryGetProperty("result", out _), answer.GetRawText());
            await Assert.ThrowsAsync<EndOfStreamException>(() => listen.ReadMessageAsync(Ct));
        }

        using var again = await ListenAsync(http, new Uri(state.WorkerA.BaseUri, "/mcp"), 44, [$"note://{name}"]);
        await PutAsync(await SharedStateFixture.ConnectAsync(new Uri(state.WorkerB.BaseUri, "/mcp"), HttpTransportMode.StreamableHttp, Ct), name, "after the drain");
        Assert.Equal($"note://{name}", (await again.ReadMessageAsync(Ct)).GetProperty("params").GetProperty("uri").GetString());
    }

    [Fact]
    public async Task ClientClosesItsListenStream_TheStreamIsFreed_AndNothingIsLoggedAsAFailure()
    {
        var environment = new Dictionary<string, string>(state.Environment)
        {
            ["McpAspire__MaxListenStreamsPerPrincipal"] = "1",
            ["Logging__LogLevel__McpAspire.Hosting.Changes"] = "Debug",
        };
        await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, Ct);
        using var http = new HttpClient();
        var mcp = new Uri(worker.BaseUri, "/mcp");
        var started = worker.Output.Length;

        const string Ended = "A listen stream of anonymous was ended by its client";
        for (var round = 1; round <= 3; round++)
        {
            // The only slot a principal has here: taken, then freed when the client closes the stream.
            using (var listen = await ListenAsync(http, mcp, 46 + round, ["note://closed"]))
            {
            }

            await Until.TrueAsync(() => worker.Output[started..].Split(Ended).Length - 1 == round, () => $"the worker to see listen {round} ended", Ct);
        }

        var output = worker.Output[started..];
        Assert.False(output.Split(Environment.NewLine).Any(line => line.Contains("request handler failed", StringComparison.Ordinal) || line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal)), output);
    }

    [Fact]
    public async Task PrincipalOverTheListenStreamCap_GetsAClearRefusal()
    {
        var capped = new Dictionary<string, string>(state.Environment) { ["McpAspire__MaxListenStreamsPerPrincipal"] = "1" };
        await using var worker = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), capped, Ct);
        using var http = new HttpClient();
        using var first = await ListenAsync(http, new Uri(worker.BaseUri, "/mcp"), 45, ["note://a"]);

        using var second = await http.SendAsync(ModernMcp.Listen(new Uri(worker.BaseUri, "/mcp"), 46, ["note://b"], listChanged: false), Ct);
        var refused = await RawMcp.ReadMessageAsync(second, Ct);

        Assert.Equal(-32029, refused.ErrorCode());
        Assert.Equal("Too many listen streams: 1 are open for this caller on this replica. Close one, then listen again.", refused.ErrorMessage());
    }

    /// <summary>Opens a listen stream and reads its acknowledgement.</summary>
    private static async Task<SseReader> ListenAsync(HttpClient http, Uri mcp, int id, string[] uris, bool listChanged = false)
    {
        var response = await http.SendAsync(ModernMcp.Listen(mcp, id, uris, listChanged), HttpCompletionOption.ResponseHeadersRead, Ct);
        response.EnsureSuccessStatusCode();
        var reader = new SseReader(response);
        var ack = await reader.ReadMessageAsync(Ct);
        Assert.Equal("notifications/subscriptions/acknowledged", ack.GetProperty("method").GetString());
        Assert.Equal(id, ack.GetProperty("params").GetProperty("_meta").GetProperty("io.modelcontextprotocol/subscriptionId").GetInt32());
        return reader;
    }

    /// <summary>Writes a note through <paramref name="client"/>, then disposes it.</summary>
    private static async Task PutAsync(McpClient client, string name, string content)
    {
        await using (client)
        {
            await CallAsync(client, "notes_put", new() { ["name"] = name, ["content"] = content });
        }
    }

    private static async Task CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: Ct);
        Assert.NotEqual(true, result.IsError);
    }
}
