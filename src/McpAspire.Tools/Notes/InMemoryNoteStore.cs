using System.Collections.Concurrent;

namespace McpAspire.Tools.Notes;

/// <summary>Process-local notes, for a host run without Redis. Every replica has its own copy.</summary>
public sealed class InMemoryNoteStore(TimeProvider timeProvider) : INoteStore
{
    private readonly ConcurrentDictionary<(string Principal, string Name), Note> _notes = new();

    public Task<Note?> GetAsync(string principal, string name, CancellationToken cancellationToken) =>
        Task.FromResult(_notes.TryGetValue((principal, name), out var note) ? note : null);

    public Task<Note> PutAsync(string principal, string name, string content, CancellationToken cancellationToken)
    {
        var note = new Note(name, content, timeProvider.GetUtcNow());
        _notes[(principal, name)] = note;
        return Task.FromResult(note);
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

    public Task<bool> DeleteAsync(string principal, string name, CancellationToken cancellationToken) =>
        Task.FromResult(_notes.TryRemove((principal, name), out _));

    public Task<int> ClearAsync(string principal, CancellationToken cancellationToken) =>
        Task.FromResult(_notes.Keys.Where(key => key.Principal == principal).Count(key => _notes.TryRemove(key, out _)));
}
