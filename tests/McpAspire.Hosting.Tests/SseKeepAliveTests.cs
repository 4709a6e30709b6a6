using System.Text;
using McpAspire.Hosting.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Tests;

/// <summary>
/// The keep-alive timer is one loop for every open event stream, in a BackgroundService: if it throws, the host stops.
/// A request can end (Kestrel recycles its context) while a tick is looking at it; that stream is skipped, the others
/// are still kept alive, and the host keeps running.
/// </summary>
public sealed class SseKeepAliveTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AStreamWhoseRequestEnded_IsSkipped_TheOthersAreStillKeptAlive_AndTheLoopRunsOn()
    {
        using var keepAlive = new SseKeepAlive(Options.Create(new McpHttpOptions { SseKeepAliveInterval = Interval }), TimeProvider.System);
        await keepAlive.StartAsync(Ct);
        var open = new TaskCompletionSource();

        var ended = new RecyclableResponse();
        var endedContext = EventStreamContext(ended, Stream.Null);
        var endedRequest = keepAlive.RunAsync(endedContext, _ => open.Task);
        var body = new CountingStream();
        var healthyRequest = keepAlive.RunAsync(EventStreamContext(new RecyclableResponse(), body), _ => open.Task);

        // The first request's context is recycled while its stream is still registered.
        ended.Recycled = true;

        await WaitUntilAsync(() => body.KeepAlives >= 3, "three keep-alives on the healthy stream after the other's context was recycled");
        Assert.False(keepAlive.ExecuteTask!.IsCompleted, $"The keep-alive loop ended: {keepAlive.ExecuteTask.Exception}");
        Assert.Equal(2, keepAlive.OpenStreams);

        open.SetResult();
        ended.Recycled = false;
        await Task.WhenAll(endedRequest, healthyRequest);
        Assert.Equal(0, keepAlive.OpenStreams);
        await keepAlive.StopAsync(Ct);
    }

    private static DefaultHttpContext EventStreamContext(RecyclableResponse response, Stream body)
    {
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature());
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        var context = new DefaultHttpContext(features);
        context.Response.ContentType = "text/event-stream";
        return context;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }
        }
    }

    /// <summary>A response whose headers, once its context is recycled, throw as Kestrel's do.</summary>
    private sealed class RecyclableResponse : IHttpResponseFeature
    {
        private readonly HeaderDictionary _headers = [];

        public volatile bool Recycled;

        public int StatusCode { get; set; } = 200;

        public string? ReasonPhrase { get; set; }

        public IHeaderDictionary Headers
        {
            get => Recycled ? throw new ObjectDisposedException(nameof(HttpContext), "Request has finished and HttpContext disposed.") : _headers;
            set => throw new NotSupportedException();
        }

        public Stream Body { get; set; } = Stream.Null;

        public bool HasStarted => false;

        public void OnCompleted(Func<object, Task> callback, object state)
        {
        }

        public void OnStarting(Func<object, Task> callback, object state)
        {
        }
    }

    /// <summary>Counts the keep-alive comments written to it.</summary>
    private sealed class CountingStream : Stream
    {
        private int _keepAlives;

        public int KeepAlives => Volatile.Read(ref _keepAlives);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Count(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private void Count(ReadOnlySpan<byte> written)
        {
            if (Encoding.UTF8.GetString(written).Contains("keep-alive", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _keepAlives);
            }
        }
    }
}
