using System.ComponentModel;
using System.Text.Json;
using McpAspire.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static ModelContextProtocol.Protocol.ElicitRequestParams;

namespace McpAspire.ConformanceHost.Tools;

/// <summary>
/// The fixtures of the tasks extension's scenarios (tasks-*). Each is an ordinary tool marked with the task support the
/// scenarios expect; input is asked for with <see cref="InputRequiredException"/> as in a plain call, and the server
/// turns it into the task's input requests.
/// </summary>
[McpServerToolType]
public sealed class TaskTools
{
    [McpServerTool(Name = "greet", ReadOnly = true)]
    [Description("Greets by name; never a task.")]
    public static string Greet([Description("Who to greet.")] string name) => $"Hello, {name}!";

    [McpTask(TaskSupport.Optional)]
    [McpServerTool(Name = "slow_compute", ReadOnly = true)]
    [Description("Waits the given seconds, then answers; a task when the client can follow one.")]
    public static async Task<string> SlowCompute(
        [Description("How long to work, 0-120 seconds.")] int seconds, [Description("A label echoed in the answer.")] string label, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(seconds, 0, 120)), cancellationToken);
        return $"Computed '{label}' in {seconds} s";
    }

    [McpTask(TaskSupport.Required)]
    [McpServerTool(Name = "failing_job", ReadOnly = true)]
    [Description("Runs only as a task, and ends with a tool error after a second.")]
    public static async Task<string> FailingJob(CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        throw new McpException("The job failed, as it always does.");
    }

    [McpTask(TaskSupport.Optional)]
    [McpServerTool(Name = "protocol_error_job", ReadOnly = true)]
    [Description("Ends with a protocol error, so its task ends failed.")]
    public static async Task<string> ProtocolErrorJob(CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        throw new McpProtocolException("The job hit a protocol error.", McpErrorCode.InternalError);
    }

    [McpTask(TaskSupport.Optional)]
    [McpServerTool(Name = "confirm_delete")]
    [Description("Asks the user to confirm, then 'deletes' the file.")]
    public static string ConfirmDelete(RequestContext<CallToolRequestParams> request, [Description("The file to delete.")] string filename) =>
        ClientInputs.Elicited(request.Params, "confirm") is { IsAccepted: true } answer && Flag(answer, "confirm")
            ? $"Deleted {filename}"
            : throw new InputRequiredException(new Dictionary<string, InputRequest> { ["confirm"] = Confirm($"Delete {filename}?") }, null);

    [McpTask(TaskSupport.Optional)]
    [McpServerTool(Name = "multi_input", ReadOnly = true)]
    [Description("Asks two questions at once and answers once both are answered.")]
    public static string MultiInput(RequestContext<CallToolRequestParams> request) =>
        ClientInputs.Elicited(request.Params, "first") is { IsAccepted: true } first && ClientInputs.Elicited(request.Params, "second") is { IsAccepted: true } second
            ? $"Got {Text(first, "name")} and {Text(second, "name")}"
            : throw new InputRequiredException(new Dictionary<string, InputRequest>
            {
                ["first"] = Confirm("First question"),
                ["second"] = Confirm("Second question"),
            }, null);

    [McpTask(TaskSupport.Required, FirstRoundSynchronous = true)]
    [McpServerTool(Name = "test_tool_with_task", ReadOnly = true)]
    [Description("Asks the user's name in a plain round, then greets them from a task.")]
    public static string ToolWithTask(RequestContext<CallToolRequestParams> request) =>
        ClientInputs.Elicited(request.Params, "user_name") is { IsAccepted: true } answer && Text(answer, "name") is { Length: > 0 } name
            ? $"Hello, {name}, from a task!"
            : throw new InputRequiredException(new Dictionary<string, InputRequest> { ["user_name"] = InputRequiredTools.AskName("What is your name?") }, null);

    private static InputRequest Confirm(string message) => InputRequest.ForElicitation(new ElicitRequestParams
    {
        Message = message,
        RequestedSchema = new RequestSchema { Properties = { ["confirm"] = new BooleanSchema(), ["name"] = new StringSchema() }, Required = ["confirm"] },
    });

    private static bool Flag(ElicitResult answer, string field) =>
        answer.Content?.TryGetValue(field, out var value) == true && value.ValueKind == JsonValueKind.True;

    private static string? Text(ElicitResult answer, string field) =>
        answer.Content?.TryGetValue(field, out var value) == true && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
