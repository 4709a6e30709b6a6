// The resumability hooks are marked obsolete along with stateful Streamable HTTP (MCP9006); the front-end implements them.
#pragma warning disable MCP9006

using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using McpAspire.Hosting;
using McpAspire.Hosting.Streams;
using McpAspire.Testing;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.State.Tests;

/// <summary>
/// The event log of Streamable HTTP streams, written on one replica and resumed on another: a request's stream is
/// complete with its answer, so a reader elsewhere gets every event after its Last-Event-ID and ends there, while the
/// writer is still open; a stream that has not answered yet keeps its reader waiting for more.
/// </summary>
public abstract class EventStreamStoreTests<TServer> : IAsyncLifetime where TServer : RedisTestServer
{
    private readonly TServer server;
    private readonly Dictionary<string, string?> shared = new() { ["McpAspire:State:KeyPrefix"] = $"es{Guid.NewGuid():N}"[..16] };
    private StateHost a = null!;
    private StateHost b = null!;

    protected EventStreamStoreTests(TServer server)
    {
        server.SkipIfMissing();
        this.server = server;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two replicas on one Redis: <c>a</c> writes, <c>b</c> resumes.</summary>
    public async ValueTask InitializeAsync()
    {
        a = await StateHost.StartAsync(server, shared);
        b = await StateHost.StartAsync(server, shared);
    }

    public async ValueTask DisposeAsync()
    {
        await b.DisposeAsync();
        await a.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task ARequestsStream_EndsWithItsAnswer_ForAReaderOnAnotherReplica_BeforeTheWriterCloses()
    {
        var writer = await WriterAsync("session-1", "7");

        var primed = await writer.WriteEventAsync(Primer, Ct);
        await writer.WriteEventAsync(Item(new JsonRpcNotification { Method = NotificationMethods.ProgressNotification }), Ct);
        await writer.WriteEventAsync(Item(new JsonRpcResponse { Id = new RequestId(7), Result = new JsonObject() }), Ct);

        var reader = await Store(b).GetStreamReaderAsync(primed.EventId!, Ct);
        Assert.NotNull(reader);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bounded.CancelAfter(TimeSpan.FromSeconds(10));
        var replayed = await reader.ReadEventsAsync(bounded.Token).Select(e => e.Data).ToListAsync(bounded.Token);

        Assert.Collection(replayed,
            e => Assert.Equal(NotificationMethods.ProgressNotification, Assert.IsType<JsonRpcNotification>(e).Method),
            e => Assert.Equal(new RequestId(7), Assert.IsType<JsonRpcResponse>(e).Id));
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task AStreamWithoutItsAnswer_KeepsItsReaderWaiting_UntilTheAnswerArrives()
    {
        var writer = await WriterAsync("session-2", "8");
        var primed = await writer.WriteEventAsync(Primer, Ct);
        // An answer to another request (sent on this stream by no SDK path, but possible) does not end it either.
        await writer.WriteEventAsync(Item(new JsonRpcResponse { Id = new RequestId(9), Result = new JsonObject() }), Ct);

        var reader = (await Store(b).GetStreamReaderAsync(primed.EventId!, Ct))!;
        await using var events = reader.ReadEventsAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(new RequestId(9), Assert.IsType<JsonRpcResponse>(events.Current.Data).Id);
        var next = events.MoveNextAsync().AsTask();
        await writer.WriteEventAsync(Item(new JsonRpcResponse { Id = new RequestId(8), Result = new JsonObject() }), Ct);

        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(new RequestId(8), Assert.IsType<JsonRpcResponse>(events.Current.Data).Id);
        Assert.False(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct));
        await writer.DisposeAsync();
    }

    /// <summary>The SDK's priming event: no data, so the client has an event id before the first message.</summary>
    private static SseItem<JsonRpcMessage?> Primer => new(null, "prime");

    [Fact]
    public async Task ResumedFromItsPrimingEventBeforeItIsRecorded_TheReaderWaitsForTheStream()
    {
        var writer = await WriterAsync("session-3", "10");
        var primed = await writer.WriteEventAsync(Primer, Ct);

        // Asked for at once, within the priming event's hold: the stream is not in Redis yet.
        var reader = await Store(b).GetStreamReaderAsync(primed.EventId!, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await writer.WriteEventAsync(Item(new JsonRpcResponse { Id = new RequestId(10), Result = new JsonObject() }), Ct);

        Assert.NotNull(reader);
        var replayed = await reader.ReadEventsAsync(Ct).Select(e => e.Data).ToListAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(new RequestId(10), Assert.IsType<JsonRpcResponse>(Assert.Single(replayed)).Id);
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task APrimingEventWithNothingAfterIt_IsRecordedAloneOnceItsHoldIsOver()
    {
        var writer = await WriterAsync("session-4", "11");
        var primed = await writer.WriteEventAsync(Primer, Ct);

        var events = a.Services.GetRequiredService<StateKeys>().EventStream("session-4", EventStreamEventId.Encode("11")).Events;
        await Until.ValueAsync(() => a.Database.KeyExistsAsync(events), recorded => recorded, _ => "the priming event recorded on its own", Ct);
        Assert.NotNull(await Store(b).GetStreamReaderAsync(primed.EventId!, Ct));
        await writer.DisposeAsync();
    }

    private ValueTask<ISseEventStreamWriter> WriterAsync(string sessionId, string streamId) =>
        Store(a).CreateStreamAsync(new SseEventStreamOptions { SessionId = sessionId, StreamId = streamId }, Ct);

    private static RedisEventStreamStore Store(StateHost host) => host.Services.GetRequiredService<RedisEventStreamStore>();

    private static SseItem<JsonRpcMessage?> Item(JsonRpcMessage message) => new(message, SseParser.EventTypeDefault);
}

public sealed class GarnetEventStreamStoreTests(GarnetRedisServer server) : EventStreamStoreTests<GarnetRedisServer>(server), IClassFixture<GarnetRedisServer>;

public sealed class RedisEventStreamStoreTests(DebianRedisServer server) : EventStreamStoreTests<DebianRedisServer>(server), IClassFixture<DebianRedisServer>;
