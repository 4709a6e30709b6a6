using System.ComponentModel;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.ConformanceHost.Tools;

/// <summary>Tools that notify the client while they run, or fail: tools-call-with-logging, -with-progress, -error.</summary>
[McpServerToolType]
public sealed partial class NotificationTools
{
    private static readonly TimeSpan StepDelay = TimeSpan.FromMilliseconds(50);

    [McpServerTool(Name = "test_tool_with_logging", ReadOnly = true, OpenWorld = false)]
    [Description("Sends three info-level log notifications, 50 ms apart, then returns.")]
    public static async Task<string> ToolWithLogging(McpServer server, CancellationToken cancellationToken)
    {
        // The client logger honours the level the client set with logging/setLevel.
#pragma warning disable MCP9005 // Spec 2026-07-28 deprecates logging; the 2025-06-18 and 2025-11-25 scenarios still test it.
        using var loggers = server.AsClientLoggerProvider();
#pragma warning restore MCP9005
        var logger = loggers.CreateLogger("conformance");

        LogStarted(logger);
        await Task.Delay(StepDelay, cancellationToken);
        LogProcessing(logger);
        await Task.Delay(StepDelay, cancellationToken);
        LogCompleted(logger);

        return "Tool with logging executed successfully";
    }

    [McpServerTool(Name = "test_tool_with_progress", ReadOnly = true, OpenWorld = false)]
    [Description("Reports progress 0, 50 and 100 of 100, 50 ms apart, when the request carries a progress token.")]
    public static async Task<string> ToolWithProgress(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var token = request.Params?.ProgressToken;
        foreach (var progress in (int[])[0, 50, 100])
        {
            if (progress > 0)
            {
                await Task.Delay(StepDelay, cancellationToken);
            }

            // Awaited rather than IProgress<T>.Report, which does not wait: the last notification must precede the result.
            if (token is { } value)
            {
                await request.Server.NotifyProgressAsync(value, new ProgressNotificationValue { Progress = progress, Total = 100 }, cancellationToken: cancellationToken);
            }
        }

        return token is { } reported ? $"Progress reported for token {reported}." : "No progress token was provided.";
    }

    [McpServerTool(Name = "test_error_handling", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Always fails, so the client sees a tool result with isError set.")]
    public static string ErrorHandling() =>
        // McpException, not another type: the SDK passes its message to the client instead of a generic one.
        throw new McpException("This tool intentionally returns an error for testing");

    [LoggerMessage(Level = LogLevel.Information, Message = "Tool execution started")]
    private static partial void LogStarted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tool processing data")]
    private static partial void LogProcessing(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tool execution completed")]
    private static partial void LogCompleted(ILogger logger);
}
