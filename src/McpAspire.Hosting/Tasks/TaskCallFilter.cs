using McpAspire.Abstractions;
using McpAspire.Hosting.Tasks;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// The SDK marks custom request handlers and alternate tool results experimental; the tasks extension is built on them.
#pragma warning disable MCPEXP002

namespace McpAspire.Hosting.Tasks;

/// <summary>
/// Decides, for each tools/call, whether it runs as a task: a tool marked <see cref="McpTaskAttribute"/>, called by a
/// client that declared the tasks extension (on the request, or on its session), answers at once with the task and runs
/// on; called by one that did not, it runs as a plain call, or is refused with <c>-32021</c> when it runs only as a task.
/// Every other tool, and a legacy <c>task</c> parameter, change nothing.
/// </summary>
internal static class TaskCallFilter
{
    public static async ValueTask<ResultOrAlternate<CallToolResult>> InvokeAsync(
        RequestContext<CallToolRequestParams> request, McpRequestHandler<CallToolRequestParams, ResultOrAlternate<CallToolResult>> next, CancellationToken cancellationToken)
    {
        var support = (request.MatchedPrimitive as McpServerTool)?.Metadata.OfType<McpTaskAttribute>().FirstOrDefault();
        if (support is null || (support.FirstRoundSynchronous && request.Params?.InputResponses is not { Count: > 0 }))
        {
            return await next(request, cancellationToken);
        }

        if (!McpTasks.Declared(request))
        {
            return support.Support == TaskSupport.Required
                ? throw McpTasks.NotDeclared($"'{request.Params?.Name}' runs only as a task.")
                : await next(request, cancellationToken);
        }

        var services = request.Services ?? request.Server.Services!;
        var caller = services.GetRequiredService<IMcpCallerAccessor>().GetCaller(request.Server, request.User);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var task = new TaskRecord(Guid.NewGuid().ToString("N"), caller.Principal, request.Params!.Name, TaskStatuses.Working, null, now, now, now, null, null,
            new Dictionary<string, string>());
        try
        {
            // Stored before it is answered: a tasks/get right after the answer, on any replica, finds it.
            await services.GetRequiredService<ITaskStore>().CreateAsync(task, cancellationToken);
        }
        catch (StateUnavailableException ex)
        {
            throw new McpProtocolException(ex.Message, ex, McpAspireErrorCodes.StateUnavailable);
        }

        services.GetRequiredService<TaskRunner>().Start(task, request, next, caller);
        return ResultOrAlternate<CallToolResult>.FromAlternate(new CreateTaskResult
        {
            ResultType = "task",
            TaskId = task.Id,
            Status = task.Status,
            CreatedAt = McpTasks.Timestamp(task.CreatedAt),
            LastUpdatedAt = McpTasks.Timestamp(task.UpdatedAt),
            TtlMs = (long)services.GetRequiredService<IOptions<McpAspireOptions>>().Value.TaskTtl.TotalMilliseconds,
            PollIntervalMs = McpTasks.PollIntervalMs,
        }, TasksJsonContext.Default.CreateTaskResult);
    }
}
