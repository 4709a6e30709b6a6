using System.Text.Json;
using McpAspire.State;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using StackExchange.Redis;

namespace McpAspire.Tools.Notes;

/// <summary>
/// Notes in one Redis hash per principal (field = note name). A put is one script: it enforces the per-principal cap,
/// writes, and renews the hash's TTL atomically, in one round trip. Every stored change is published on the change feed
/// (<see cref="NoteChanges"/>) once Redis has it.
/// </summary>
internal sealed class RedisNoteStore(SharedRedis redis, IOptions<NotesOptions> options, TimeProvider timeProvider, NoteChanges changes) : INoteStore
{
    /// <summary>KEYS: the principal's hash. ARGV: name, value, max, ttl (ms).</summary>
    private const string PutScript = """
        local existed = redis.call('HEXISTS', KEYS[1], ARGV[1])
        if existed == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
          return 0
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return 2 - existed
        """;

    /// <summary>KEYS: the principal's hash.</summary>
    private const string ClearScript = """
        local names = redis.call('HKEYS', KEYS[1])
        redis.call('DEL', KEYS[1])
        return names
        """;

    public Task<Note?> GetAsync(string principal, string name, CancellationToken cancellationToken) =>
        redis.ReadAsync<Note?>("Reading notes", async db =>
        {
            var value = await db.HashGetAsync(Key(principal), name);
            return value.IsNull ? null : Deserialize(name, value!);
        }, cancellationToken);

    public async Task<Note> PutAsync(string principal, string name, string content, CancellationToken cancellationToken)
    {
        var (note, created) = await redis.WriteAsync("Saving notes", async db =>
        {
            var note = new Note(name, content, timeProvider.GetUtcNow());
            var stored = (long)await db.ScriptEvaluateAsync(PutScript, [Key(principal)],
            [
                name,
                JsonSerializer.Serialize(new StoredNote(content, note.UpdatedAt), ToolsJsonContext.Default.StoredNote),
                options.Value.MaxPerPrincipal,
                (long)options.Value.Ttl.TotalMilliseconds,
            ]);
            return stored > 0
                ? (note, stored == 2)
                : throw new McpException($"You have {options.Value.MaxPerPrincipal} notes, the most allowed; delete one with notes_delete first.");
        }, cancellationToken);
        await changes.WrittenAsync(principal, name, created, cancellationToken);
        return note;
    }

    public Task<IReadOnlyList<Note>> ListAsync(string principal, int limit, CancellationToken cancellationToken) =>
        redis.ReadAsync<IReadOnlyList<Note>>("Listing notes", async db =>
        {
            var entries = await db.HashGetAllAsync(Key(principal));
            return [.. entries
                .Select(entry => Deserialize(entry.Name!, entry.Value!))
                .OrderBy(note => note.Name, StringComparer.Ordinal)
                .Take(limit)];
        }, cancellationToken);

    public async Task<bool> DeleteAsync(string principal, string name, CancellationToken cancellationToken)
    {
        var deleted = await redis.WriteAsync("Deleting notes", db => db.HashDeleteAsync(Key(principal), name), cancellationToken);
        if (deleted)
        {
            await changes.DeletedAsync(principal, [name], cancellationToken);
        }

        return deleted;
    }

    public async Task<int> ClearAsync(string principal, CancellationToken cancellationToken)
    {
        var names = await redis.WriteAsync("Deleting notes",
            async db => ((RedisResult[])(await db.ScriptEvaluateAsync(ClearScript, [Key(principal)]))!).Select(name => (string)name!).ToArray(),
            cancellationToken);
        await changes.DeletedAsync(principal, names, cancellationToken);
        return names.Length;
    }

    /// <summary>One hash per principal: <c>{prefix}:data:notes:{principal}</c>.</summary>
    private RedisKey Key(string principal) => redis.Key("notes", principal);

    private static Note Deserialize(string name, string json)
    {
        var stored = JsonSerializer.Deserialize(json, ToolsJsonContext.Default.StoredNote)!;
        return new Note(name, stored.Content, stored.UpdatedAt);
    }
}
