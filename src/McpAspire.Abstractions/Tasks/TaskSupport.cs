namespace McpAspire.Abstractions;

/// <summary>Whether a tool runs as a task (the <c>io.modelcontextprotocol/tasks</c> extension) when called.</summary>
public enum TaskSupport
{
    /// <summary>A task when the client declared the extension; a plain call otherwise.</summary>
    Optional,

    /// <summary>Always a task: a client that did not declare the extension gets <c>-32021</c> and nothing runs.</summary>
    Required,
}
