using McpAspire.Abstractions;
using McpAspire.State;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Tasks;

/// <summary>Tasks in this process, for a host without Redis: the same rules as <see cref="RedisTaskStore"/>, under one lock.</summary>
internal sealed class InMemoryTaskStore(IOptions<McpAspireOptions> options, TimeProvider time) : ITaskStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _tasks = new(StringComparer.Ordinal);

    public Task CreateAsync(TaskRecord task, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Sweep();
            _tasks[task.Id] = new Entry { Task = task, Expires = time.GetUtcNow() + options.Value.TaskTtl };
        }

        return Task.CompletedTask;
    }

    public Task<TaskRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Live(id) is { } entry
                ? entry.Task with { Asked = entry.Asked.Where(a => !entry.Answers.ContainsKey(a.Key)).ToDictionary(StringComparer.Ordinal) }
                : null);
        }
    }

    public Task<TaskWrite> ChangeAsync(string id, string status, string? message, string? resultJson = null, string? errorJson = null,
        IReadOnlyDictionary<string, string>? asked = null, string? requestState = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var write = Change(id, entry => !TaskStatuses.IsTerminal(entry.Task.Status), entry =>
            {
                entry.Task = entry.Task with
                {
                    Status = status,
                    Message = message ?? entry.Task.Message,
                    ResultJson = resultJson ?? entry.Task.ResultJson,
                    ErrorJson = errorJson ?? entry.Task.ErrorJson,
                };
                if (asked is not null)
                {
                    entry.Asked = new(asked, StringComparer.Ordinal);
                    entry.Answers.Clear();
                }

                entry.RequestState = requestState ?? entry.RequestState;
            });
            return Task.FromResult(write);
        }
    }

    public Task<TaskWrite> AnswerAsync(string id, IReadOnlyDictionary<string, string> answers, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Change(id, entry => entry.Task.Status == TaskStatuses.InputRequired, entry =>
            {
                foreach (var (key, answer) in answers.Where(a => entry.Asked.ContainsKey(a.Key)))
                {
                    entry.Answers[key] = answer;
                }
            }));
        }
    }

    public Task<TaskInput?> TakeInputAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Live(id) is not { } entry || entry.Task.Status != TaskStatuses.InputRequired || entry.Asked.Keys.Any(k => !entry.Answers.ContainsKey(k)))
            {
                return Task.FromResult<TaskInput?>(null);
            }

            var input = new TaskInput(new Dictionary<string, string>(entry.Answers, StringComparer.Ordinal), entry.RequestState);
            Change(id, _ => true, e =>
            {
                e.Task = e.Task with { Status = TaskStatuses.Working };
                e.Asked.Clear();
                e.Answers.Clear();
                e.RequestState = null;
            });
            return Task.FromResult<TaskInput?>(input);
        }
    }

    public Task<string?> BeatAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Live(id) is not { } entry)
            {
                return Task.FromResult<string?>(null);
            }

            entry.Task = entry.Task with { Beat = time.GetUtcNow() };
            entry.Expires = time.GetUtcNow() + options.Value.TaskTtl;
            return Task.FromResult<string?>(entry.Task.Status);
        }
    }

    private TaskWrite Change(string id, Func<Entry, bool> applies, Action<Entry> change)
    {
        if (Live(id) is not { } entry)
        {
            return TaskWrite.Unknown;
        }

        if (!applies(entry))
        {
            return TaskWrite.NotApplied;
        }

        change(entry);
        entry.Task = entry.Task with { UpdatedAt = time.GetUtcNow() };
        entry.Expires = time.GetUtcNow() + options.Value.TaskTtl;
        return TaskWrite.Applied;
    }

    private Entry? Live(string id) => _tasks.TryGetValue(id, out var entry) && entry.Expires > time.GetUtcNow() ? entry : null;

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var id in _tasks.Where(t => t.Value.Expires <= now).Select(t => t.Key).ToList())
        {
            _tasks.Remove(id);
        }
    }

    private sealed class Entry
    {
        public required TaskRecord Task { get; set; }

        public DateTimeOffset Expires { get; set; }

        public Dictionary<string, string> Asked { get; set; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Answers { get; } = new(StringComparer.Ordinal);

        public string? RequestState { get; set; }
    }
}
