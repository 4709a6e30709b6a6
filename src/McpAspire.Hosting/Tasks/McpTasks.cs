using System.Globalization;
using System.Text.Json.Nodes;
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
/// The tasks extension (<c>io.modelcontextprotocol/tasks</c>): advertised in the server's capabilities, and its three
/// methods, served by every replica from the task store. <c>tasks/get</c> gives the task as it stands (its result or
/// error once it has ended, its unanswered input requests while it waits); <c>tasks/update</c> records answers and
/// <c>tasks/cancel</c> ends a task that has not ended, both acknowledged with an empty result, and idempotent. A
/// caller sees only its own tasks: any other id is unknown (<c>-32602</c>), as is a task dropped after the task TTL.
/// A task whose replica has not beaten for <c>McpAspire:State:ReplicaTtl</c> is ended <c>failed</c> by whoever
/// reads it next.
/// </summary>
internal static class McpTasks
{
    public const string ExtensionId = "io.modelcontextprotocol/tasks";
    public const long PollIntervalMs = 1000;

    /// <summary>Adds the extension to <paramref name="options"/>.</summary>
    public static void Configure(McpServerOptions options)
    {
        options.Capabilities ??= new ServerCapabilities();
        options.Capabilities.Extensions ??= new Dictionary<string, object>();
        options.Capabilities.Extensions[ExtensionId] = new JsonObject();
        options.RequestHandlers ??= [];
        options.RequestHandlers.Add(new McpServerRequestHandler { Method = "tasks/get", RoutingNameParameter = "taskId", Handler = GetAsync });
        options.RequestHandlers.Add(new McpServerRequestHandler { Method = "tasks/update", RoutingNameParameter = "taskId", Handler = UpdateAsync });
        options.RequestHandlers.Add(new McpServerRequestHandler { Method = "tasks/cancel", RoutingNameParameter = "taskId", Handler = CancelAsync });
        options.Filters.Request.CallToolWithAlternateFilters.Add(TaskCallFilter.InvokeAsync);
    }

    /// <summary>Whether the client declared the extension, on this request or on its session.</summary>
    public static bool Declared<TParams>(RequestContext<TParams> request) =>
        ClientInputs.Capabilities(request)?.Extensions?.ContainsKey(ExtensionId) == true;

    public static MissingRequiredClientCapabilityException NotDeclared(string what) => new(
        new ClientCapabilities { Extensions = new Dictionary<string, object> { [ExtensionId] = new JsonObject() } },
        $"{what} The client did not declare the '{ExtensionId}' extension; nothing was done.");

    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static async ValueTask<JsonNode?> GetAsync(RequestContext<JsonNode?> request, CancellationToken cancellationToken)
    {
        var (services, id, store) = Open(request);
        var task = await OwnAsync(request, services, store, id, cancellationToken);
        if (!TaskStatuses.IsTerminal(task.Status) && IsStale(services, task))
        {
            await Guard(() => store.ChangeAsync(id, TaskStatuses.Failed, "The replica running this task stopped before it finished.",
                errorJson: new JsonObject
                {
                    ["code"] = (int)McpErrorCode.InternalError,
                    ["message"] = "The replica running this task stopped before it finished; call the tool again.",
                }.ToJsonString(), cancellationToken: cancellationToken));
            task = await OwnAsync(request, services, store, id, cancellationToken);
        }

        var detailed = new JsonObject
        {
            ["resultType"] = "complete",
            ["taskId"] = task.Id,
            ["status"] = task.Status,
            ["createdAt"] = Timestamp(task.CreatedAt),
            ["lastUpdatedAt"] = Timestamp(task.UpdatedAt),
            ["ttlMs"] = (long)services.GetRequiredService<IOptions<McpAspireOptions>>().Value.TaskTtl.TotalMilliseconds,
            ["pollIntervalMs"] = PollIntervalMs,
        };
        if (task.Message is { Length: > 0 } message)
        {
            detailed["statusMessage"] = message;
        }

        switch (task.Status)
        {
            case TaskStatuses.Completed when task.ResultJson is not null:
                detailed["result"] = JsonNode.Parse(task.ResultJson);
                break;
            case TaskStatuses.Failed when task.ErrorJson is not null:
                detailed["error"] = JsonNode.Parse(task.ErrorJson);
                break;
            case TaskStatuses.InputRequired:
                detailed["inputRequests"] = new JsonObject(task.Asked.Select(a => KeyValuePair.Create(a.Key, JsonNode.Parse(a.Value))));
                break;
        }

        return detailed;
    }

    private static async ValueTask<JsonNode?> UpdateAsync(RequestContext<JsonNode?> request, CancellationToken cancellationToken)
    {
        var (services, id, store) = Open(request);
        var answers = request.Params?["inputResponses"] switch
        {
            JsonObject responses => responses.Where(r => r.Value is not null).ToDictionary(r => r.Key, r => r.Value!.ToJsonString(), StringComparer.Ordinal),
            null => throw new McpProtocolException("tasks/update needs 'inputResponses': an object of answers by input request key.", McpErrorCode.InvalidParams),
            _ => throw new McpProtocolException("'inputResponses' must be an object of answers by input request key.", McpErrorCode.InvalidParams),
        };
        await OwnAsync(request, services, store, id, cancellationToken);
        if (await Guard(() => store.AnswerAsync(id, answers, cancellationToken)) == TaskWrite.Unknown)
        {
            throw Unknown(services, id);
        }

        services.GetRequiredService<TaskRunner>().Poke(id);
        return Acknowledged();
    }

    private static async ValueTask<JsonNode?> CancelAsync(RequestContext<JsonNode?> request, CancellationToken cancellationToken)
    {
        var (services, id, store) = Open(request);
        await OwnAsync(request, services, store, id, cancellationToken);
        if (await Guard(() => store.ChangeAsync(id, TaskStatuses.Cancelled, "Cancelled by the client.", cancellationToken: cancellationToken)) == TaskWrite.Unknown)
        {
            throw Unknown(services, id);
        }

        services.GetRequiredService<TaskRunner>().Poke(id);
        return Acknowledged();
    }

    /// <summary>The extension must be declared (checked first, whatever the task), and the request must name a task.</summary>
    private static (IServiceProvider Services, string Id, ITaskStore Store) Open(RequestContext<JsonNode?> request)
    {
        if (!Declared(request))
        {
            throw NotDeclared($"'{request.JsonRpcRequest?.Method}' belongs to the tasks extension.");
        }

        var id = request.Params?["taskId"] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length is > 0 and <= 128
            ? text
            : throw new McpProtocolException("'taskId' is required: the id of a task, as the call that started it answered.", McpErrorCode.InvalidParams);
        var services = request.Services ?? request.Server.Services!;
        return (services, id, services.GetRequiredService<ITaskStore>());
    }

    /// <summary>The task <paramref name="id"/>, if it exists and belongs to the caller; otherwise it is unknown.</summary>
    private static async Task<TaskRecord> OwnAsync(RequestContext<JsonNode?> request, IServiceProvider services, ITaskStore store, string id, CancellationToken cancellationToken)
    {
        var principal = services.GetRequiredService<IMcpCallerAccessor>().GetCaller(request.Server, request.User).Principal;
        var task = await Guard(() => store.GetAsync(id, cancellationToken));
        return task is not null && task.Owner == principal ? task : throw Unknown(services, id);
    }

    private static bool IsStale(IServiceProvider services, TaskRecord task)
    {
        var ttl = services.GetRequiredService<IOptions<McpAspireStateOptions>>().Value.ReplicaTtl;
        return services.GetRequiredService<TimeProvider>().GetUtcNow() - task.Beat > ttl + TaskRunner.BeatInterval;
    }

    private static McpProtocolException Unknown(IServiceProvider services, string id)
    {
        var ttl = services.GetRequiredService<IOptions<McpAspireOptions>>().Value.TaskTtl;
        return new McpProtocolException(
            $"Unknown task '{id}': no task of yours has this id. A task is kept for {ttl:c} after its last change, then dropped.", McpErrorCode.InvalidParams);
    }

    private static JsonObject Acknowledged() => new() { ["resultType"] = "complete" };

    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (StateUnavailableException ex)
        {
            throw new McpProtocolException(ex.Message, ex, McpAspireErrorCodes.StateUnavailable);
        }
    }
}
