using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpAspire.Hosting.Security;

/// <summary>
/// The access log on standard output, one compact line per request (<c>{UTC time} {the access log's message}</c>). The
/// request's thread formats its line and queues it; one writer writes the queued lines in order, several to a write,
/// never splitting a line and never more than a pipe writes at once (4 KiB), so lines of other writers to the same
/// output are never cut into. The writer wakes for the first line and then collects for <see cref="Collect"/> before
/// writing, so under load a request wakes no thread and a write carries many lines; a line is out within that time.
/// Nothing is dropped: a full queue (10,000 lines behind) makes requests wait for it. The queue is written out when the
/// host stops.
/// </summary>
internal sealed class AccessLogConsoleProvider : ILoggerProvider
{
    private const int MaxWrite = 4096;

    /// <summary>How long the writer collects lines after the first before writing them.</summary>
    internal static readonly TimeSpan Collect = TimeSpan.FromMilliseconds(100);

    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Stream _output;
    private readonly Task _writer;

    public AccessLogConsoleProvider(Stream output)
    {
        _output = output;
        _writer = Task.Run(WriteAsync);
    }

    public ILogger CreateLogger(string categoryName) =>
        categoryName == AccessLogMiddleware.Category ? new LineLogger(_lines.Writer) : NullLogger.Instance;

    public void Dispose()
    {
        _lines.Writer.TryComplete();
        _writer.Wait(TimeSpan.FromSeconds(5));
        _output.Flush();
    }

    private async Task WriteAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(MaxWrite * 2);
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync())
        {
            // Not waiting on the queue meanwhile: a line queued now wakes nobody.
            await Task.Delay(Collect);
            while (reader.TryRead(out var line))
            {
                var length = Encoding.UTF8.GetByteCount(line) + 1;
                if (buffer.WrittenCount > 0 && buffer.WrittenCount + length > MaxWrite)
                {
                    await FlushAsync(buffer);
                }

                var span = buffer.GetSpan(length);
                var written = Encoding.UTF8.GetBytes(line, span);
                span[written] = (byte)'\n';
                buffer.Advance(written + 1);
            }

            await FlushAsync(buffer);
        }
    }

    private async Task FlushAsync(ArrayBufferWriter<byte> buffer)
    {
        try
        {
            await _output.WriteAsync(buffer.WrittenMemory);
            await _output.FlushAsync();
        }
        catch (IOException)
        {
            // Standard output is gone (a closed pipe): the other sinks still have the lines.
        }

        buffer.ResetWrittenCount();
    }

    private sealed class LineLogger(ChannelWriter<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {formatter(state, exception)}";
            if (!lines.TryWrite(line))
            {
                lines.WriteAsync(line).AsTask().GetAwaiter().GetResult();
            }
        }
    }
}
