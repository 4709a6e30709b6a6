using System.Collections.Concurrent;

namespace McpAspire.Tools.Notes;

/// <summary>Process-local notes, for a host run without Redis. Every replica has its own copy.</summary>
public sealed class InMemoryNoteStore(TimeProvider timeProvider, NoteChanges? changes = null) : INoteStore
{
    private readonly ConcurrentDictionary<(string Principal, string Name), Note> _notes = new();

    public Task<Note?> GetAsync(string principal, string name, CancellationToken cancellationToken) =>
        Task.FromResult(_notes.TryGetValue((principal, name), out var note) ? note : null);

    public async Task<Note> PutAsync(string principal, string name, string content, CancellationToken cancellationToken)
    {
        var note = new Note(name, content, timeProvider.GetUtcNow());
        var created = true;
        _notes.AddOrUpdate((principal, name), note, (_, _) =>
        {
            created = false;
            return note;
        });
        if (changes is not null)
        {
            await changes.WrittenAsync(principal, name, created, cancellationToken);
        }

        return note;
    }

    public Task<IReadOnlyList<Note>> ListAsync(string principal, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<Note> notes = [.. _notes
            .Where(entry => entry.Key.Principal == principal)
            .Select(entry => entry.Value)
            .OrderBy(note => note.Name, StringComparer.Ordinal)
            .Take(limit)];
        return Task.FromResult(notes);
    }

    public async Task<bool> DeleteAsync(string principal, string name, CancellationToken cancellationToken)
    {
        var deleted = _notes.TryRemove((principal, name), out _);
        if (deleted && changes is not null)
        {
            await changes.DeletedAsync(principal, [name], cancellationToken);
        }

        return deleted;
    }

    public async Task<int> ClearAsync(string principal, CancellationToken cancellationToken)
    {
        string[] names = [.. _notes.Keys.Where(key => key.Principal == principal && _notes.TryRemove(key, out _)).Select(key => key.Name)];
        if (changes is not null)
        {
            await changes.DeletedAsync(principal, names, cancellationToken);
        }

        return names.Length;
    }
}
