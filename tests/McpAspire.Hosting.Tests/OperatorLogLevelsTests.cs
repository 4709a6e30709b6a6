using System.Collections.Concurrent;
using McpAspire.Hosting.Telemetry;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;

namespace McpAspire.Hosting.Tests;

/// <summary>
/// What the SDK logs about a handler's or a tool's exception: at Debug without the stack when the client did it (an
/// McpException answered to it, a cancellation), at its own level with the stack when it is a fault of ours; other
/// categories untouched.
/// </summary>
public sealed class OperatorLogLevelsTests
{
    private static readonly EventId ToolCallError = new(1, "ToolCallError");

    [Theory]
    [InlineData(typeof(McpException))]
    [InlineData(typeof(McpProtocolException))]
    [InlineData(typeof(OperationCanceledException))]
    [InlineData(typeof(System.Text.Json.JsonException))]
    public void TheClientsDoing_IsLoggedAtDebug_WithoutTheStack(Type exceptionType)
    {
        var (factory, lines) = Factory(LogLevel.Debug);
        var exception = (Exception)Activator.CreateInstance(exceptionType, "No note named 'x'.")!;

        factory.CreateLogger("ModelContextProtocol.Server.McpServer").Log(LogLevel.Error, ToolCallError, "\"notes_get\" threw an unhandled exception.", exception, (s, _) => s);

        var line = Assert.Single(lines);
        Assert.Equal((LogLevel.Debug, "ToolCallError", $"\"notes_get\" threw an unhandled exception. {exceptionType.Name}: No note named 'x'.", (Exception?)null), line);
    }

    [Fact]
    public void AFaultOfOurs_KeepsItsLevelAndItsStack_AndOtherCategoriesAreUntouched()
    {
        var (factory, lines) = Factory(LogLevel.Debug);
        var bug = new InvalidOperationException("a bug");
        var refusal = new McpException("a refusal");

        factory.CreateLogger("ModelContextProtocol.Server.McpServer").Log(LogLevel.Error, ToolCallError, "threw", bug, (s, _) => s);
        factory.CreateLogger("McpAspire.Tools").Log(LogLevel.Warning, ToolCallError, "ours", refusal, (s, _) => s);

        Assert.Equal([(LogLevel.Error, "ToolCallError", "threw", bug), (LogLevel.Warning, "ToolCallError", "ours", refusal)], lines);
    }

    [Fact]
    public void AMethodWithNoHandler_IsLoggedAtDebug_WhileTheSdksOtherWarningsStay()
    {
        var (factory, lines) = Factory(LogLevel.Debug);
        var logger = factory.CreateLogger("ModelContextProtocol.Server.McpServer");

        logger.Log(LogLevel.Warning, new EventId(2, "LogNoHandlerFoundForRequest"), "no handler for 'no/such'", null, (s, _) => s);
        logger.Log(LogLevel.Warning, new EventId(3, "LogSomethingElse"), "something else", null, (s, _) => s);

        Assert.Equal([(LogLevel.Debug, "LogNoHandlerFoundForRequest", "no handler for 'no/such'", (Exception?)null), (LogLevel.Warning, "LogSomethingElse", "something else", (Exception?)null)], lines);
    }

    [Fact]
    public void WithDebugOff_TheClientsDoingIsNotLoggedAtAll()
    {
        var (factory, lines) = Factory(LogLevel.Information);

        factory.CreateLogger("ModelContextProtocol.Server.McpServer").Log(LogLevel.Error, ToolCallError, "threw", new McpException("a refusal"), (s, _) => s);

        Assert.Empty(lines);
    }

    [Fact]
    public void AHealthCheckThatIsNotHealthy_IsLoggedWhenItsStatusChanges_NotAtEveryProbe_AndWithoutTheStack()
    {
        var (factory, lines) = Factory(LogLevel.Information);
        var logger = factory.CreateLogger(OperatorLogLevels.HealthCheckCategory);
        var cause = new TimeoutException("no answer within 1 s");

        foreach (var status in new[] { "Healthy", "Degraded", "Degraded", "Degraded", "Unhealthy", "Unhealthy", "Healthy", "Degraded" })
        {
            var level = status switch { "Healthy" => LogLevel.Debug, "Degraded" => LogLevel.Warning, _ => LogLevel.Error };
            var fields = CheckEnd("redis-state", status);
            logger.Log(level, HealthCheckEnd, fields, status == "Healthy" ? null : cause, (s, _) => $"Health check redis-state with status {s[1].Value}");
        }

        logger.Log(LogLevel.Warning, new EventId(104, "HealthCheckError"), "threw", cause, (s, _) => s);

        Assert.Equal(
        [
            (LogLevel.Warning, "HealthCheckEnd", "Health check redis-state with status Degraded TimeoutException: no answer within 1 s", null),
            (LogLevel.Error, "HealthCheckEnd", "Health check redis-state with status Unhealthy TimeoutException: no answer within 1 s", null),
            (LogLevel.Warning, "HealthCheckEnd", "Health check redis-state with status Degraded TimeoutException: no answer within 1 s", null),
            (LogLevel.Warning, "HealthCheckError", "threw", cause),
        ], lines);
    }

    private static readonly EventId HealthCheckEnd = new(103, "HealthCheckEnd");

    /// <summary>The fields the health-check service's result line carries.</summary>
    private static KeyValuePair<string, object?>[] CheckEnd(string check, string status) =>
        [new("HealthCheckName", check), new("HealthStatus", status), new("ElapsedMilliseconds", 1.5)];

    private static (ILoggerFactory Factory, ConcurrentQueue<(LogLevel, string?, string, Exception?)> Lines) Factory(LogLevel minimum)
    {
        var lines = new ConcurrentQueue<(LogLevel, string?, string, Exception?)>();
        var inner = LoggerFactory.Create(logging => logging.SetMinimumLevel(minimum).AddProvider(new Capture(lines)));
        return (new OperatorLogLevels(inner), lines);
    }

    private sealed class Capture(ConcurrentQueue<(LogLevel, string?, string, Exception?)> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((logLevel, eventId.Name, formatter(state, exception), exception));

        public void Dispose()
        {
        }
    }
}
