using System.ComponentModel;
using McpAspire.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools;

/// <summary>
/// A slow operation that reports progress and stops when the client cancels it; run as a task when the client declared
/// the tasks extension, so it can be followed and cancelled from any replica.
/// </summary>
[McpServerToolType]
public sealed class LongRunningTool(TimeProvider timeProvider)
{
    public const int MaxSteps = 1000;
    public const int MaxDelayMs = 60_000;

    [McpTask(TaskSupport.Optional)]
    [McpServerTool(Name = "long_running", Title = "Long-running operation", ReadOnly = true, OpenWorld = false)]
    [Description("Works through a number of steps, waiting between them and sending a progress notification after each. Honours cancellation.")]
    public Task<string> RunAsync(
        RequestContext<CallToolRequestParams> request,
        [Description("How many steps to run, 1-1000.")] int steps,
        [Description("How long each step takes, in milliseconds, 0-60000.")] int delayMs,
        CancellationToken cancellationToken) =>
        // Each notification is awaited, unlike the SDK's IProgress, so the last one is on the wire before the result
        // and a client that stops listening for progress when the result arrives still sees every step.
        RunAsync(
            request.Params?.ProgressToken is { } token
                ? progress => request.Server.NotifyProgressAsync(token, progress, cancellationToken: cancellationToken)
                : _ => Task.CompletedTask,
            steps,
            delayMs,
            cancellationToken);

    internal async Task<string> RunAsync(Func<ProgressNotificationValue, Task> report, int steps, int delayMs, CancellationToken cancellationToken)
    {
        if (steps is < 1 or > MaxSteps)
        {
            throw new McpException($"Argument 'steps' must be between 1 and {MaxSteps}; it was {steps}.");
        }

        if (delayMs is < 0 or > MaxDelayMs)
        {
            throw new McpException($"Argument 'delayMs' must be between 0 and {MaxDelayMs}; it was {delayMs}.");
        }

        for (var step = 1; step <= steps; step++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delayMs), timeProvider, cancellationToken);
            await report(new ProgressNotificationValue { Progress = step, Total = steps, Message = $"Step {step} of {steps}" });
        }

        return $"Completed {steps} steps.";
    }
}
