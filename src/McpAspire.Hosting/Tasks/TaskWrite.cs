namespace McpAspire.Hosting.Tasks;

/// <summary>What became of a change to a task.</summary>
internal enum TaskWrite
{
    /// <summary>No such task: never created, or expired.</summary>
    Unknown,

    /// <summary>The task is not in a status the change applies to (it has ended, or asks for nothing); nothing changed.</summary>
    NotApplied,

    Applied,
}
