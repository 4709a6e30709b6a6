using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Http;

/// <summary>
/// Writes an SSE comment line on every event stream that has been quiet for <see cref="McpHttpOptions.SseKeepAliveInterval"/>,
/// so proxies and load balancers that cut idle connections leave MCP streams alone. One timer serves every stream; a
/// comment only goes in between two events, never inside one.
/// </summary>
internal sealed class SseKeepAlive(IOptions<McpHttpOptions> options, TimeProvider timeProvider) : BackgroundService
{
    private static readonly byte[] Comment = ": keep-alive\n\n"u8.ToArray();
    private readonly ConcurrentDictionary<KeepAliveStream, HttpContext> _streams = new();

    /// <summary>Event streams open now.</summary>
    public int OpenStreams => _streams.Count;

    /// <summary>Wraps the response of <paramref name="context"/> so it is kept alive while it is an event stream.</summary>
    public async Task RunAsync(HttpContext context, RequestDelegate next)
    {
        KeepAliveStream? stream = null;
        try
        {
            await ResponseBodyWrapper.RunAsync(context, inner =>
            {
                stream = new KeepAliveStream(inner, timeProvider);
                _streams[stream] = context;
                return stream;
            }, next);
        }
        finally
        {
            if (stream is not null)
            {
                _streams.TryRemove(stream, out _);
                await stream.DisposeAsync();
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SseKeepAliveInterval;
        using var timer = new PeriodicTimer(interval / 4, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (stream, context) in _streams)
            {
                try
                {
                    // Once the SDK has made the response an event stream, a comment is safe even before anything was
                    // sent: it also commits headers the SDK has not flushed yet, which some clients wait for.
                    if (context.Response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) is true)
                    {
                        await stream.KeepAliveAsync(Comment, interval);
                    }
                }
                catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or IOException or OperationCanceledException)
                {
                    // Its request ended while this tick looked at it (the context recycled, the stream disposed): it is
                    // being removed. A failure here must not end the loop, let alone the host (a BackgroundService
                    // that throws stops it).
                }
            }
        }
    }

    /// <summary>Passes writes through, remembering when the last one ended and whether it ended an event.</summary>
    private sealed class KeepAliveStream(Stream inner, TimeProvider timeProvider) : WriteOnlyStream
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private long _lastWrite = timeProvider.GetTimestamp();
        private bool _betweenEvents = true;
        private bool _endedWithNewline = true;

        public async Task KeepAliveAsync(byte[] comment, TimeSpan interval)
        {
            if (timeProvider.GetElapsedTime(Volatile.Read(ref _lastWrite)) < interval || !await _lock.WaitAsync(0))
            {
                return;
            }

            try
            {
                if (_betweenEvents)
                {
                    await inner.WriteAsync(comment);
                    await inner.FlushAsync();
                    Volatile.Write(ref _lastWrite, timeProvider.GetTimestamp());
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                // The client is gone; the request ends on its own.
            }
            finally
            {
                _lock.Release();
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _lock.WaitAsync(cancellationToken);
            try
            {
                await inner.WriteAsync(buffer, cancellationToken);
                Written(buffer.Span);
            }
            finally
            {
                _lock.Release();
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _lock.Wait();
            try
            {
                inner.Write(buffer, offset, count);
                Written(buffer.AsSpan(offset, count));
            }
            finally
            {
                _lock.Release();
            }
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await _lock.WaitAsync(cancellationToken);
            try
            {
                await inner.FlushAsync(cancellationToken);
            }
            finally
            {
                _lock.Release();
            }
        }

        public override void Flush() => inner.Flush();

        private void Written(ReadOnlySpan<byte> data)
        {
            if (data.Length > 0)
            {
                var newline = data[^1] == (byte)'\n';
                _betweenEvents = data.EndsWith("\n\n"u8) || (newline && data.Length == 1 && _endedWithNewline);
                _endedWithNewline = newline;
                Volatile.Write(ref _lastWrite, timeProvider.GetTimestamp());
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _lock.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
