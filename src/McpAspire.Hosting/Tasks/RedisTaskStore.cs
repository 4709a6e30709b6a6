using System.Globalization;
using McpAspire.Abstractions;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpAspire.Hosting.Tasks;

/// <summary>
/// Tasks in Redis, one hash per task (<c>{prefix}:task:{id}</c>): its fields, its input requests as <c>ask:{key}</c> and
/// their answers as <c>ans:{key}</c>. Each change is one script, so a change that finds the task ended does nothing,
/// and two replicas never both move it on.
/// </summary>
internal sealed class RedisTaskStore(IConnectionMultiplexer redis, StateKeys keys, RedisResilience resilience, IOptions<McpAspireOptions> options, TimeProvider time)
    : ITaskStore
{
    private const string Ask = "ask:";
    private const string Answer = "ans:";

    // ARGV: ttl ms, replace inputs ('1'/'0'), then field/value pairs. -1 unknown, 0 ended, 1 changed.
    private const string ChangeScript = """
        local s = redis.call('HGET', KEYS[1], 'status')
        if not s then return -1 end
        if s ~= 'working' and s ~= 'input_required' then return 0 end
        if ARGV[2] == '1' then
          for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
            local p = string.sub(f, 1, 4)
            if p == 'ask:' or p == 'ans:' then redis.call('HDEL', KEYS[1], f) end
          end
        end
        for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    // ARGV: ttl ms, updated, then key/answer pairs. Only keys the task asks for now are recorded.
    private const string AnswerScript = """
        local s = redis.call('HGET', KEYS[1], 'status')
        if not s then return -1 end
        if s ~= 'input_required' then return 0 end
        for i = 3, #ARGV, 2 do
          if redis.call('HEXISTS', KEYS[1], 'ask:' .. ARGV[i]) == 1 then
            redis.call('HSET', KEYS[1], 'ans:' .. ARGV[i], ARGV[i + 1])
          end
        end
        redis.call('HSET', KEYS[1], 'updated', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    // ARGV: ttl ms, updated. Returns {state, key, answer, ...} once every ask has its answer, else nil.
    private const string TakeScript = """
        if redis.call('HGET', KEYS[1], 'status') ~= 'input_required' then return false end
        local fields = redis.call('HGETALL', KEYS[1])
        local asks, answers = {}, {}
        for i = 1, #fields, 2 do
          local p = string.sub(fields[i], 1, 4)
          if p == 'ask:' then asks[string.sub(fields[i], 5)] = true end
          if p == 'ans:' then answers[string.sub(fields[i], 5)] = fields[i + 1] end
        end
        for name in pairs(asks) do
          if not answers[name] then return false end
        end
        local out = { redis.call('HGET', KEYS[1], 'state') or '' }
        for name in pairs(asks) do
          table.insert(out, name)
          table.insert(out, answers[name])
          redis.call('HDEL', KEYS[1], 'ask:' .. name, 'ans:' .. name)
        end
        redis.call('HDEL', KEYS[1], 'state')
        redis.call('HSET', KEYS[1], 'status', 'working', 'updated', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return out
        """;

    // ARGV: ttl ms, beat. Returns the status, nil when the task is gone.
    private const string BeatScript = """
        local s = redis.call('HGET', KEYS[1], 'status')
        if not s then return false end
        redis.call('HSET', KEYS[1], 'beat', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return s
        """;

    private long TtlMs => (long)options.Value.TaskTtl.TotalMilliseconds;

    public async Task CreateAsync(TaskRecord task, CancellationToken cancellationToken) =>
        await resilience.WriteAsync("Starting the task", async _ =>
        {
            var db = redis.GetDatabase();
            var transaction = db.CreateTransaction();
            var written = transaction.HashSetAsync(keys.Task(task.Id),
            [
                new("owner", task.Owner),
                new("tool", task.Tool),
                new("status", task.Status),
                new("created", Ms(task.CreatedAt)),
                new("updated", Ms(task.UpdatedAt)),
                new("beat", Ms(task.Beat)),
            ]);
            var expiring = transaction.KeyExpireAsync(keys.Task(task.Id), options.Value.TaskTtl);
            await transaction.ExecuteAsync();
            await Task.WhenAll(written, expiring);
            return true;
        }, cancellationToken);

    public async Task<TaskRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        await resilience.ReadAsync("Reading the task", async _ =>
        {
            var fields = await redis.GetDatabase().HashGetAllAsync(keys.Task(id));
            return fields.Length == 0 ? null : Parse(id, fields);
        }, cancellationToken);

    public async Task<TaskWrite> ChangeAsync(string id, string status, string? message, string? resultJson = null, string? errorJson = null,
        IReadOnlyDictionary<string, string>? asked = null, string? requestState = null, CancellationToken cancellationToken = default) =>
        await resilience.WriteAsync("Updating the task", async _ =>
        {
            var values = new List<RedisValue> { TtlMs, asked is null ? "0" : "1", "status", status, "updated", Ms(time.GetUtcNow()) };
            Add(values, "message", message);
            Add(values, "result", resultJson);
            Add(values, "error", errorJson);
            Add(values, "state", requestState);
            foreach (var (key, request) in asked ?? new Dictionary<string, string>())
            {
                values.Add(Ask + key);
                values.Add(request);
            }

            return Outcome(await redis.GetDatabase().ScriptEvaluateAsync(ChangeScript, [keys.Task(id)], [.. values]));
        }, cancellationToken);

    public async Task<TaskWrite> AnswerAsync(string id, IReadOnlyDictionary<string, string> answers, CancellationToken cancellationToken) =>
        await resilience.WriteAsync("Answering the task", async _ =>
        {
            var values = new List<RedisValue> { TtlMs, Ms(time.GetUtcNow()) };
            foreach (var (key, answer) in answers)
            {
                values.Add(key);
                values.Add(answer);
            }

            return Outcome(await redis.GetDatabase().ScriptEvaluateAsync(AnswerScript, [keys.Task(id)], [.. values]));
        }, cancellationToken);

    public async Task<TaskInput?> TakeInputAsync(string id, CancellationToken cancellationToken) =>
        await resilience.WriteAsync("Resuming the task", async _ =>
        {
            var taken = await redis.GetDatabase().ScriptEvaluateAsync(TakeScript, [keys.Task(id)], [TtlMs, Ms(time.GetUtcNow())]);
            if (taken.IsNull || taken.Resp2Type != ResultType.Array)
            {
                return null;
            }

            var parts = (RedisValue[])taken!;
            var answers = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 1; i + 1 < parts.Length; i += 2)
            {
                answers[parts[i]!] = parts[i + 1]!;
            }

            return new TaskInput(answers, parts[0].IsNullOrEmpty ? null : (string?)parts[0]);
        }, cancellationToken);

    public async Task<string?> BeatAsync(string id, CancellationToken cancellationToken) =>
        await resilience.WriteAsync("Renewing the task", async _ =>
        {
            var status = await redis.GetDatabase().ScriptEvaluateAsync(BeatScript, [keys.Task(id)], [TtlMs, Ms(time.GetUtcNow())]);
            return status.IsNull ? null : (string?)status;
        }, cancellationToken);

    private static TaskRecord Parse(string id, HashEntry[] fields)
    {
        var map = fields.ToDictionary(f => (string)f.Name!, f => (string)f.Value!, StringComparer.Ordinal);
        var asked = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in map)
        {
            if (name.StartsWith(Ask, StringComparison.Ordinal) && !map.ContainsKey(Answer + name[Ask.Length..]))
            {
                asked[name[Ask.Length..]] = value;
            }
        }

        return new TaskRecord(id, map.GetValueOrDefault("owner", ""), map.GetValueOrDefault("tool", ""), map.GetValueOrDefault("status", TaskStatuses.Failed),
            map.GetValueOrDefault("message"), Time(map, "created"), Time(map, "updated"), Time(map, "beat"),
            map.GetValueOrDefault("result"), map.GetValueOrDefault("error"), asked);
    }

    private static void Add(List<RedisValue> values, string field, string? value)
    {
        if (value is not null)
        {
            values.Add(field);
            values.Add(value);
        }
    }

    private static TaskWrite Outcome(RedisResult result) => (long)result switch
    {
        < 0 => TaskWrite.Unknown,
        0 => TaskWrite.NotApplied,
        _ => TaskWrite.Applied,
    };

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(Dictionary<string, string> map, string field) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.TryParse(map.GetValueOrDefault(field), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? ms : 0);
}
