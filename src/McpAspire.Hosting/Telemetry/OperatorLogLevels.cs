using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;

namespace McpAspire.Hosting.Telemetry;

/// <summary>
/// The logger factory every McpAspire host uses, around the host's own: it hands out the MCP SDK's loggers (categories
/// <c>ModelContextProtocol.*</c>) wrapped so that what the client did is not logged as a fault of ours. The SDK logs a
/// handler's or a tool's exception at Warning or Error with its stack whoever's fault it is; this logs such a line at
/// Debug without the exception when the exception is the client's doing: an <see cref="McpException"/> (what a tool or a
/// filter answers the client: a bad argument, a missing note, a refused <c>requestState</c>, a missing capability, a
/// rate limit, Redis away, which the breaker reports once by itself), a cancellation (the client left or cancelled),
/// params that do not bind, or a method the server does not have (<see cref="IsClientsDoing"/>). Any other exception
/// is a fault of ours and keeps its level and its stack. The SDK's spans still carry the error.
/// It also hands out the health-check service's logger wrapped so that a check that is not Healthy is logged when its
/// status changes, not at every probe (<see cref="HealthCheckChanges"/>). Every other line is untouched.
/// </summary>
internal sealed class OperatorLogLevels(ILoggerFactory inner) : ILoggerFactory
{
    private const string SdkCategoryPrefix = "ModelContextProtocol.";

    /// <summary>The category of the health-check service that runs the checks of each <c>/health</c> probe.</summary>
    internal const string HealthCheckCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    private readonly HealthCheckChanges _healthCheckChanges = new();

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName switch
        {
            _ when categoryName.StartsWith(SdkCategoryPrefix, StringComparison.Ordinal) => new ClientFaultsAtDebug(logger),
            HealthCheckCategory => new HealthCheckLogger(logger, _healthCheckChanges),
            _ => logger,
        };
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    /// <summary>
    /// The SDK's Warning for a request whose method it has no handler for (no exception): the client asked for what this
    /// server does not offer, and is answered -32601. The event is named by the SDK's logging method.
    /// </summary>
    private const string NoHandlerEvent = "LogNoHandlerFoundForRequest";

    /// <summary>
    /// Whether a line the SDK logs at Warning or above is about the client's doing rather than a fault of the server:
    /// an <see cref="McpException"/>, a cancellation, params that do not bind (a <see cref="JsonException"/>, or the
    /// reader's <see cref="InvalidOperationException"/> for a string it cannot read: the request filter answers -32602
    /// naming the member), or a method it has no handler for.
    /// </summary>
    public static bool IsClientsDoing(EventId eventId, Exception? exception) => exception switch
    {
        McpException or OperationCanceledException or JsonException => true,
        // Thrown by System.Text.Json's reader (its Source names the assembly, or "System.Text.Json.Rethrowable").
        InvalidOperationException { Source: { } source } when source.StartsWith("System.Text.Json", StringComparison.Ordinal) => true,
        null => eventId.Name == NoHandlerEvent,
        _ => false,
    };

    /// <summary>The line's message followed by the exception's type and message, for a line logged without the exception.</summary>
    private static Func<TState, Exception?, string> WithoutStack<TState>(Func<TState, Exception?, string> formatter, Exception? exception) =>
        (state, _) => exception is null ? formatter(state, null) : $"{formatter(state, null)} {exception.GetType().Name}: {exception.Message}";

    private sealed class ClientFaultsAtDebug(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning && IsClientsDoing(eventId, exception))
            {
                if (inner.IsEnabled(LogLevel.Debug))
                {
                    inner.Log(LogLevel.Debug, eventId, state, null, WithoutStack(formatter, exception));
                }

                return;
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }

    /// <summary>
    /// The last status logged of each health check that is not Healthy. The health-check service logs each check's
    /// result at every probe: Degraded at Warning and Unhealthy at Error, with the check's exception. Probes come every
    /// few seconds, so a dependency away for a minute would be dozens of lines with stacks beside the one line its own
    /// code logs for the outage (Redis: the breaker's). A status a check had not logged since it was last Healthy is
    /// news; a Healthy result forgets the check, so its next outage is news again.
    /// </summary>
    internal sealed class HealthCheckChanges
    {
        private readonly ConcurrentDictionary<string, string> _notHealthy = new(StringComparer.Ordinal);

        public bool IsNews(string check, string status)
        {
            if (status == "Healthy")
            {
                return _notHealthy.TryRemove(check, out _);
            }

            // The last run of the update delegate is the one stored, so its answer is the answer.
            var news = false;
            _notHealthy.AddOrUpdate(
                check,
                _ =>
                {
                    news = true;
                    return status;
                },
                (_, previous) =>
                {
                    news = previous != status;
                    return status;
                });
            return news;
        }
    }

    /// <summary>
    /// The health-check service's result lines (event <c>HealthCheckEnd</c>): news at its level with the exception's
    /// type and message and without its stack, a repeat at Debug; every other line of the service untouched.
    /// </summary>
    private sealed class HealthCheckLogger(ILogger inner, HealthCheckChanges changes) : ILogger
    {
        private const string CheckEndEvent = "HealthCheckEnd";

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name != CheckEndEvent || state is not IReadOnlyList<KeyValuePair<string, object?>> fields
                || Field(fields, "HealthCheckName") is not { } check || Field(fields, "HealthStatus") is not { } status)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            var news = changes.IsNews(check, status);
            var level = logLevel < LogLevel.Warning || news ? logLevel : LogLevel.Debug;
            if (inner.IsEnabled(level))
            {
                inner.Log(level, eventId, state, null, WithoutStack(formatter, exception));
            }
        }

        private static string? Field(IReadOnlyList<KeyValuePair<string, object?>> fields, string name)
        {
            foreach (var field in fields)
            {
                if (field.Key == name)
                {
                    return field.Value?.ToString();
                }
            }

            return null;
        }
    }
}
