namespace McpAspire.Hosting.Tasks;

/// <summary>
/// Where tasks live: in the deployment's Redis when it has one, so any replica answers for any task, else in this
/// process. Every change but creation applies only to a task that has not ended, and renews its expiry (the task TTL).
/// </summary>
internal interface ITaskStore
{
    Task CreateAsync(TaskRecord task, CancellationToken cancellationToken);

    Task<TaskRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a task that has not ended to <paramref name="status"/>. <paramref name="asked"/>, when given, replaces its
    /// input requests (and drops any answers) and <paramref name="requestState"/> is kept for when they are answered.
    /// </summary>
    Task<TaskWrite> ChangeAsync(string id, string status, string? message, string? resultJson = null, string? errorJson = null,
        IReadOnlyDictionary<string, string>? asked = null, string? requestState = null, CancellationToken cancellationToken = default);

    /// <summary>Records answers to the input requests a task asks for now; answers to anything else are ignored.</summary>
    Task<TaskWrite> AnswerAsync(string id, IReadOnlyDictionary<string, string> answers, CancellationToken cancellationToken);

    /// <summary>
    /// Once every input request of a task that asks for input has its answer: the answers and the request state, the
    /// task back to <c>working</c> with nothing asked. Null while any is unanswered, or when it asks for nothing.
    /// </summary>
    Task<TaskInput?> TakeInputAsync(string id, CancellationToken cancellationToken);

    /// <summary>The running replica's sign of life: renews the task's beat and expiry; returns its status, null when it is gone.</summary>
    Task<string?> BeatAsync(string id, CancellationToken cancellationToken);
}
