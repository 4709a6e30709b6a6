using McpAspire.Abstractions;

namespace McpAspire.Hosting.Tasks;

/// <summary>
/// The caller a task runs for, on the task's own flow: its tool runs after the request that started it has ended (no
/// HTTP context), and still acts for, and is limited as, the caller who started it.
/// </summary>
internal static class RunningTaskCaller
{
    private static readonly AsyncLocal<McpCaller?> Caller = new();

    public static McpCaller? Current
    {
        get => Caller.Value;
        set => Caller.Value = value;
    }
}
