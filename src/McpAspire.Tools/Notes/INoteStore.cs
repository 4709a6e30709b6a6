namespace McpAspire.Tools.Notes;

/// <summary>
/// Per-principal notes. A write completes only once the note is stored; a store that cannot store it throws,
/// so a caller is never told a write succeeded when it did not.
/// </summary>
public interface INoteStore
{
    Task<Note?> GetAsync(string principal, string name, CancellationToken cancellationToken);

    Task<Note> PutAsync(string principal, string name, string content, CancellationToken cancellationToken);

    /// <summary>The principal's notes ordered by name, at most <paramref name="limit"/> of them.</summary>
    Task<IReadOnlyList<Note>> ListAsync(string principal, int limit, CancellationToken cancellationToken);

    /// <returns>True when a note was deleted, false when there was none.</returns>
    Task<bool> DeleteAsync(string principal, string name, CancellationToken cancellationToken);

    /// <summary>Deletes every note of the principal at once.</summary>
    /// <returns>How many notes there were.</returns>
    Task<int> ClearAsync(string principal, CancellationToken cancellationToken);
}
