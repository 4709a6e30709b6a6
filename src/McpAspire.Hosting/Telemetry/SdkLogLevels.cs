using Microsoft.Extensions.Logging;
using ModelContextProtocol;

namespace McpAspire.Hosting.Telemetry;

/// <summary>
/// The logger factory every McpAspire host uses, around the host's own: it hands out the MCP SDK's loggers (categories
/// <c>ModelContextProtocol.*</c>) wrapped so that what the client did is not logged as a fault of ours. The SDK logs a
/// handler's or a tool's exception at Warning or Error with its stack whoever's fault it is; this logs such a line at
/// Debug without the exception when the exception is the client's doing: an <see cref="McpException"/> (what a tool or a
/// filter answers the client: a bad argument, a missing note, a refused <c>requestState</c>, a missing capability, a
/// rate limit, Redis away, which the breaker reports once by itself) or a cancellation (the client left or cancelled).
/// Any other exception is a fault of ours and keeps its level and its stack. Every other line is untouched, and the
/// SDK's spans still carry the error.
/// </summary>
internal sealed class SdkLogLevels(ILoggerFactory inner) : ILoggerFactory
{
    private const string SdkCategoryPrefix = "ModelContextProtocol.";

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith(SdkCategoryPrefix, StringComparison.Ordinal) ? new ClientFaultsAtDebug(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    /// <summary>Whether an exception the SDK logs is the client's doing rather than a fault of the server.</summary>
    public static bool IsClientsDoing(Exception? exception) => exception is McpException or OperationCanceledException;

    private sealed class ClientFaultsAtDebug(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning && IsClientsDoing(exception))
            {
                if (inner.IsEnabled(LogLevel.Debug))
                {
                    inner.Log(LogLevel.Debug, eventId, state, null, (s, _) => $"{formatter(s, null)} {exception!.GetType().Name}: {exception.Message}");
                }

                return;
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
