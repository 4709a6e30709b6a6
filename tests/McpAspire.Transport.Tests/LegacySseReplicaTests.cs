using System.Net;
using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>Legacy HTTP+SSE across replicas: a post that lands on another replica than the stream is answered on the stream.</summary>
[Collection(ReplicasGroup.Name)]
public sealed class LegacySseReplicaTests(ReplicasFixture replicas) : ReplicaTestsBase(replicas)
{
    [Fact]
    public async Task LegacySse_StreamOnOneReplica_PostsToTheOther_AnswersProgressAndCancellation()
    {
        using var stream = await OpenLegacyStreamAsync(Replicas.A);
        var viaB = new Uri(Replicas.B.BaseUri, stream.Endpoint);

        await PostAcceptedAsync(viaB, LegacyInitialize);
        var initialized = await stream.Reader.ReadMessageAsync(Ct);
        Assert.Equal("McpAspire", initialized.GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString());
        await PostAcceptedAsync(viaB, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");

        await PostAcceptedAsync(viaB, RawMcp.ToolCall(2, "echo", """{"message":"through B"}"""));
        var echo = await stream.Reader.ReadMessageAsync(Ct);
        Assert.Equal(2, echo.GetProperty("id").GetInt32());
        Assert.Equal("through B", echo.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());

        await PostAcceptedAsync(viaB, LongRunning(3, "legacy-progress", """{"steps":3,"delayMs":20}"""));
        var messages = await stream.Reader.ReadUntilResponseAsync(JsonId(3), Ct);
        Assert.Equal([1, 2, 3], ProgressOf(messages, "legacy-progress"));
        Assert.Equal("Completed 3 steps.", messages[^1].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());

        await PostAcceptedAsync(viaB, LongRunning(4, "legacy-cancel", EndlessArguments));
        await stream.Reader.ReadMessageAsync(Ct);
        await PostAcceptedAsync(viaB, Cancel(4));
        await AssertGoesQuietAsync(stream.Reader, cancelledId: 4);

        await PostAcceptedAsync(viaB, """{"jsonrpc":"2.0","id":5,"method":"ping"}""");
        Assert.Equal(5, (await stream.Reader.ReadUntilResponseAsync(JsonId(5), Ct))[^1].GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task LegacySse_UnknownSession_Is404OnEveryReplica_AndANonJsonBodyIsAParseError()
    {
        foreach (var replica in new[] { Replicas.A, Replicas.B })
        {
            using var response = await Http.SendAsync(RawMcp.Post(new Uri(replica.BaseUri, "/message?sessionId=never-issued"), """{"jsonrpc":"2.0","id":1,"method":"ping"}"""), Ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(-32001, (await RawMcp.ReadMessageAsync(response, Ct)).ErrorCode());
        }

        using var stream = await OpenLegacyStreamAsync(Replicas.A);
        using (var garbage = await Http.SendAsync(RawMcp.Post(new Uri(Replicas.B.BaseUri, stream.Endpoint), "{not json"), Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
            Assert.Equal(-32700, (await RawMcp.ReadMessageAsync(garbage, Ct)).ErrorCode());
        }

        // The session is intact: the next good message is answered on its stream.
        await PostAcceptedAsync(new Uri(Replicas.B.BaseUri, stream.Endpoint), LegacyInitialize);
        Assert.Equal(1, (await stream.Reader.ReadMessageAsync(Ct)).GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task AThousandLegacySessionsOnOneReplica_StayOpenAndAnswer()
    {
        const int Sessions = 1000;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
        var streams = new LegacyConnection[Sessions];
        try
        {
            await Parallel.ForAsync(0, Sessions, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Ct }, async (i, ct) =>
                streams[i] = await OpenLegacyStreamAsync(Replicas.B, http));

            // All open at once; each answers on its own stream.
            await Parallel.ForAsync(0, Sessions, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Ct }, async (i, ct) =>
            {
                var stream = streams[i];
                using (var post = await http.SendAsync(RawMcp.Post(new Uri(Replicas.B.BaseUri, stream.Endpoint), $$"""{"jsonrpc":"2.0","id":{{i}},"method":"ping"}"""), ct))
                {
                    Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
                }

                Assert.Equal(i, (await stream.Reader.ReadMessageAsync(ct, TimeSpan.FromSeconds(60))).GetProperty("id").GetInt32());
            });
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream?.Dispose();
            }
        }
    }
}
