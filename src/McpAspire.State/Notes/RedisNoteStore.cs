using System.Text.Json;
using McpAspire.State.Resilience;
using McpAspire.Tools.Notes;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using StackExchange.Redis;

namespace McpAspire.State.Notes;

/// <summary>
/// Notes in one Redis hash per principal (field = note name). A put is one script: it enforces the per-principal cap,
/// writes, and renews the hash's TTL atomically, in one round trip.
/// </summary>
internal sealed class RedisNoteStore(
    IConnectionMultiplexer redis,
    RedisResilience resilience,
    RedisKeys keys,
    IOptions<McpAspireStateOptions> options,
    TimeProvider timeProvider) : INoteStore
{
    private static readonly LuaScript PutScript = LuaScript.Prepare("""
        if redis.call('HEXISTS', @key, @name) == 0 and redis.call('HLEN', @key) >= tonumber(@max) then
          return 0
        end
        redis.call('HSET', @key, @name, @value)
        redis.call('PEXPIRE', @key, @ttl)
        return 1
        """);

    private static readonly LuaScript ClearScript = LuaScript.Prepare("""
        local count = redis.call('HLEN', @key)
        redis.call('DEL', @key)
        return count
        """);

    private IDatabase Db => redis.GetDatabase();

    public Task<Note?> GetAsync(string principal, string name, CancellationToken cancellationToken) =>
        resilience.ReadAsync<Note?>("Reading notes", async _ =>
        {
            var value = await Db.HashGetAsync(keys.Notes(principal), name);
            return value.IsNull ? null : Deserialize(name, value!);
        }, cancellationToken).AsTask();

    public Task<Note> PutAsync(string principal, string name, string content, CancellationToken cancellationToken) =>
        resilience.WriteAsync("Saving notes", async _ =>
        {
            var note = new Note(name, content, timeProvider.GetUtcNow());
            var stored = (long)await Db.ScriptEvaluateAsync(PutScript, new
            {
                key = keys.Notes(principal),
                name = (RedisValue)name,
                value = (RedisValue)JsonSerializer.Serialize(new StoredNote(content, note.UpdatedAt), StateJsonContext.Default.StoredNote),
                max = options.Value.MaxNotesPerPrincipal,
                ttl = (long)options.Value.NoteTtl.TotalMilliseconds,
            });
            return stored == 1
                ? note
                : throw new McpException($"You have {options.Value.MaxNotesPerPrincipal} notes, the most allowed; delete one with notes_delete first.");
        }, cancellationToken).AsTask();

    public Task<IReadOnlyList<Note>> ListAsync(string principal, int limit, CancellationToken cancellationToken) =>
        resilience.ReadAsync<IReadOnlyList<Note>>("Listing notes", async _ =>
        {
            var entries = await Db.HashGetAllAsync(keys.Notes(principal));
            return [.. entries
                .Select(entry => Deserialize(entry.Name!, entry.Value!))
                .OrderBy(note => note.Name, StringComparer.Ordinal)
                .Take(limit)];
        }, cancellationToken).AsTask();

    public Task<bool> DeleteAsync(string principal, string name, CancellationToken cancellationToken) =>
        resilience.WriteAsync("Deleting notes", async _ => await Db.HashDeleteAsync(keys.Notes(principal), name), cancellationToken).AsTask();

    public Task<int> ClearAsync(string principal, CancellationToken cancellationToken) =>
        resilience.WriteAsync("Deleting notes", async _ => (int)(long)await Db.ScriptEvaluateAsync(ClearScript, new { key = keys.Notes(principal) }), cancellationToken).AsTask();

    private static Note Deserialize(string name, string json)
    {
        var stored = JsonSerializer.Deserialize(json, StateJsonContext.Default.StoredNote)!;
        return new Note(name, stored.Content, stored.UpdatedAt);
    }
}
