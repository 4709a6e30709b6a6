namespace McpAspire.Hosting.Tasks;

/// <summary>A task's status, as the tasks extension names it on the wire.</summary>
internal static class TaskStatuses
{
    public const string Working = "working";
    public const string InputRequired = "input_required";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsTerminal(string status) => status is Completed or Failed or Cancelled;
}
