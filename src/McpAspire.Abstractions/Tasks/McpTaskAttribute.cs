namespace McpAspire.Abstractions;

/// <summary>
/// Marks a tool method that may run as a task: the call answers at once with the task, the tool runs on, and the
/// client follows it with <c>tasks/get</c> from any replica, answers its input requests with <c>tasks/update</c> and
/// cancels it with <c>tasks/cancel</c>. The tool itself is written as for a plain call: its cancellation token is the
/// task's, and input it asks for with an <c>InputRequiredException</c> reaches the client as the task's input requests.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class McpTaskAttribute(TaskSupport support) : Attribute
{
    /// <summary>Whether the tool may, must or must not run as a task, as its <c>execution.taskSupport</c> tells clients.</summary>
    public TaskSupport Support { get; } = support;

    /// <summary>
    /// When true, a call without <c>inputResponses</c> runs as a plain call (it asks for its input synchronously), and
    /// only the call that carries the answers becomes a task.
    /// </summary>
    public bool FirstRoundSynchronous { get; init; }
}
