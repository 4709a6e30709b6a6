using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpAspire.Abstractions;
using McpAspire.Hosting.Tasks;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// The SDK marks custom request handlers and alternate tool results experimental; the tasks extension is built on them.
#pragma warning disable MCPEXP002

namespace McpAspire.Hosting.Tasks;

/// <summary>
/// Runs the tasks started on this replica. A task's tool runs through the same pipeline as a plain call (arguments
/// checked, request state sealed, the caller's rate limit), on its own flow and service scope, until it ends. Input it
/// asks for becomes the task's input requests; once all are answered (by <c>tasks/update</c> on any replica) the tool
/// is called again with the answers, as a 2026-07-28 client would call it. While it runs it beats every second, so any
/// replica can tell it is alive; it stops when the task is cancelled (seen within a second, at once on this replica),
/// and when this replica stops, the task ends <c>failed</c> saying so.
/// </summary>
internal sealed partial class TaskRunner(ITaskStore store, IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, ILogger<TaskRunner> logger)
    : IHostedService
{
    /// <summary>How often a running task beats, and how often a task waiting for answers checks for them from another replica.</summary>
    public static readonly TimeSpan BeatInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan InputPollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly ActivitySource Source = new(McpAspireTelemetry.Name);

    private readonly ConcurrentDictionary<string, Running> _running = new(StringComparer.Ordinal);

    /// <summary>Tasks running on this replica, by status.</summary>
    public (int Working, int InputRequired) Counts()
    {
        var input = _running.Values.Count(r => r.WaitingForInput);
        return (_running.Count - input, input);
    }

    /// <summary>Starts the tool of <paramref name="task"/>, created from <paramref name="request"/>, in the background.</summary>
    public void Start(TaskRecord task, RequestContext<CallToolRequestParams> request, McpRequestHandler<CallToolRequestParams, ResultOrAlternate<CallToolResult>> next, McpCaller caller)
    {
        var scope = scopes.CreateAsyncScope();
        var context = new RequestContext<CallToolRequestParams>(request.Server, request.JsonRpcRequest!, request.Params!)
        {
            MatchedPrimitive = request.MatchedPrimitive,
            Services = scope.ServiceProvider,
        };
        var running = new Running(task.Id, CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping));
        _running[task.Id] = running;
        // The task's span is a child of the call that started it, though it outlives it.
        _ = Task.Run(() => RunAsync(running, task.Tool, context, next, caller, scope), CancellationToken.None);
    }

    /// <summary>Wakes the task <paramref name="id"/> if it runs here: it has been answered or cancelled.</summary>
    public void Poke(string id)
    {
        if (_running.TryGetValue(id, out var running))
        {
            running.Wake();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits (within the host's shutdown timeout) for the tasks cancelled by the stop to record that they ended.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_running.Values.Select(r => r.Ended)).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host gives up waiting; the others see the tasks failed once their beat is old.
        }
    }

    private async Task RunAsync(Running running, string tool, RequestContext<CallToolRequestParams> context,
        McpRequestHandler<CallToolRequestParams, ResultOrAlternate<CallToolResult>> next, McpCaller caller, AsyncServiceScope scope)
    {
        using var activity = Source.StartActivity($"task {tool}");
        activity?.SetTag("mcp.task.id", running.Id);
        activity?.SetTag("gen_ai.tool.name", tool);
        RunningTaskCaller.Current = caller;
        var watch = WatchAsync(running);
        string ended = TaskStatuses.Failed;
        try
        {
            while (true)
            {
                InputRequiredResult? asks;
                try
                {
                    var answer = await next(context, running.Token);
                    asks = answer.IsAlternate ? answer.Alternate as InputRequiredResult : null;
                    if (asks is null)
                    {
                        var result = answer.IsAlternate
                            ? throw new McpProtocolException($"The tool answered with a '{answer.Alternate?.ResultType}' result, which a task cannot carry.", McpErrorCode.InternalError)
                            : answer.Result;
                        ended = TaskStatuses.Completed;
                        await EndAsync(running.Id, TaskStatuses.Completed, null, JsonSerializer.Serialize(result!, McpJson.CallToolResult), null);
                        return;
                    }
                }
                catch (InputRequiredException inputRequired)
                {
                    asks = inputRequired.Result;
                }

                var input = await WaitForInputAsync(running, asks);
                context.Params!.InputResponses = input.Answers.ToDictionary(
                    a => a.Key, a => JsonSerializer.Deserialize(a.Value, McpJson.InputResponse)!, StringComparer.Ordinal);
                context.Params.RequestState = input.RequestState;
            }
        }
        catch (OperationCanceledException) when (running.Token.IsCancellationRequested)
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested && running.EndedInStore is null)
            {
                await EndAsync(running.Id, TaskStatuses.Failed, "The replica running this task shut down before it finished.",
                    null, Error(McpErrorCode.InternalError, "The replica running this task shut down before it finished; call the tool again."));
            }
            else
            {
                ended = running.EndedInStore ?? TaskStatuses.Cancelled;
            }
        }
        catch (McpProtocolException ex)
        {
            await EndAsync(running.Id, TaskStatuses.Failed, ex.Message, null, Error(ex.ErrorCode, ex.Message));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTaskFailed(running.Id, tool, ex);
            await EndAsync(running.Id, TaskStatuses.Failed, "The task failed.", null, Error(McpErrorCode.InternalError, "The task failed on the server; call the tool again."));
        }
        finally
        {
            activity?.SetTag("mcp.task.status", ended);
            RunningTaskCaller.Current = null;
            running.Stop();
            await watch;
            _running.TryRemove(running.Id, out _);
            await scope.DisposeAsync();
            running.Dispose();
        }
    }

    /// <summary>Records the task's input requests, then waits until every one has its answer and takes them.</summary>
    private async Task<TaskInput> WaitForInputAsync(Running running, InputRequiredResult asks)
    {
        var requests = (asks.InputRequests ?? new Dictionary<string, InputRequest>()).ToDictionary(
            r => r.Key, r => JsonSerializer.Serialize(r.Value, McpJson.InputRequest), StringComparer.Ordinal);
        if (requests.Count == 0)
        {
            throw new McpProtocolException("The tool asked for input without saying what it needs.", McpErrorCode.InternalError);
        }

        var write = await store.ChangeAsync(running.Id, TaskStatuses.InputRequired,
            $"Waiting for input: answer {string.Join(", ", requests.Keys)} with tasks/update.", asked: requests, requestState: asks.RequestState ?? "",
            cancellationToken: running.Token);
        running.Token.ThrowIfCancellationRequested();
        if (write != TaskWrite.Applied)
        {
            throw new OperationCanceledException(running.Token);
        }

        running.WaitingForInput = true;
        try
        {
            while (true)
            {
                if (await store.TakeInputAsync(running.Id, running.Token) is { } input)
                {
                    return input;
                }

                await running.WaitAsync(InputPollInterval);
            }
        }
        finally
        {
            running.WaitingForInput = false;
        }
    }

    /// <summary>Beats every second while the task runs; cancels it once the store has it ended (by anyone) or gone.</summary>
    private async Task WatchAsync(Running running)
    {
        while (!running.Stopped)
        {
            try
            {
                var status = await store.BeatAsync(running.Id, CancellationToken.None);
                if (status is null or TaskStatuses.Cancelled)
                {
                    running.EndAsTheStoreSays(status ?? TaskStatuses.Cancelled);
                    return;
                }

                if (TaskStatuses.IsTerminal(status))
                {
                    // Another replica ended it (this one's beat looked stale) and its client was told so: the work stops here too.
                    LogEndedElsewhere(running.Id, status);
                    running.EndAsTheStoreSays(status);
                    return;
                }
            }
            catch (StateUnavailableException ex)
            {
                LogBeatFailed(running.Id, ex.Message);
            }

            await running.WaitAsync(BeatInterval, watching: true);
        }
    }

    private async Task EndAsync(string id, string status, string? message, string? resultJson, string? errorJson)
    {
        try
        {
            await store.ChangeAsync(id, status, message, resultJson, errorJson, cancellationToken: CancellationToken.None);
        }
        catch (StateUnavailableException ex)
        {
            // The others will see it failed once its beat is old.
            LogEndNotRecorded(id, status, ex.Message);
        }
    }

    private static string Error(McpErrorCode code, string message) =>
        new JsonObject { ["code"] = (int)code, ["message"] = message }.ToJsonString();

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} ({Tool}) failed")]
    private partial void LogTaskFailed(string taskId, string tool, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} was ended {Status} by another replica while it ran here (its beat was late); stopped it")]
    private partial void LogEndedElsewhere(string taskId, string status);

    /// <summary>Debug: a beat fails only while Redis does, and the breaker logs that outage once, as its Error.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId} could not renew its beat: {Reason}")]
    private partial void LogBeatFailed(string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} ended {Status}, but the store did not record it: {Reason}")]
    private partial void LogEndNotRecorded(string taskId, string status, string reason);

    /// <summary>One task running here: its cancellation, and the wake-ups of its input wait and its watcher.</summary>
    private sealed class Running(string id, CancellationTokenSource cancellation) : IDisposable
    {
        private readonly SemaphoreSlim _inputWake = new(0);
        private readonly SemaphoreSlim _watchWake = new(0);
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Id { get; } = id;

        public CancellationToken Token { get; } = cancellation.Token;

        public bool WaitingForInput { get; set; }

        /// <summary>The status the store had when this replica stopped the task for it (cancelled, or ended elsewhere); null otherwise.</summary>
        public string? EndedInStore { get; private set; }

        public bool Stopped { get; private set; }

        public Task Ended => _ended.Task;

        public void Wake()
        {
            try
            {
                _inputWake.Release();
                _watchWake.Release();
            }
            catch (ObjectDisposedException)
            {
                // It has ended.
            }
        }

        public async Task WaitAsync(TimeSpan timeout, bool watching = false)
        {
            try
            {
                await (watching ? _watchWake : _inputWake).WaitAsync(timeout, watching ? CancellationToken.None : Token);
            }
            catch (ObjectDisposedException)
            {
                // Stopped meanwhile.
            }
        }

        public void EndAsTheStoreSays(string status)
        {
            EndedInStore = status;
            cancellation.Cancel();
        }

        public void Stop()
        {
            Stopped = true;
            _watchWake.Release();
        }

        public void Dispose()
        {
            cancellation.Dispose();
            _inputWake.Dispose();
            _watchWake.Dispose();
            _ended.TrySetResult();
        }
    }

    /// <summary>The SDK's JSON contracts for what a task stores.</summary>
    private static class McpJson
    {
        public static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<CallToolResult> CallToolResult =
            (System.Text.Json.Serialization.Metadata.JsonTypeInfo<CallToolResult>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult));

        public static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<InputRequest> InputRequest =
            (System.Text.Json.Serialization.Metadata.JsonTypeInfo<InputRequest>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(InputRequest));

        public static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<InputResponse> InputResponse =
            (System.Text.Json.Serialization.Metadata.JsonTypeInfo<InputResponse>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(InputResponse));
    }
}
