using McpAspire.Abstractions;

namespace McpAspire.Tools.Notes;

/// <summary>
/// What a note store tells the change feed once a change is stored: the note's resource (<c>note://{name}</c>) was
/// updated, and the list of the principal's notes changed when a note was created or deleted.
/// </summary>
public sealed class NoteChanges(IChangeFeed? feed)
{
    /// <summary>The resource URI of the note <paramref name="name"/>.</summary>
    public static string Uri(string name) => $"{Resources.NoteResources.UriScheme}{name}";

    public Task WrittenAsync(string principal, string name, bool created, CancellationToken cancellationToken) =>
        feed?.PublishAsync(new ResourceChange(principal, Uri(name), ListChanged: created), cancellationToken) ?? Task.CompletedTask;

    public async Task DeletedAsync(string principal, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        for (var i = 0; feed is not null && i < names.Count; i++)
        {
            // The list changed once, with the last of them.
            await feed.PublishAsync(new ResourceChange(principal, Uri(names[i]), ListChanged: i == names.Count - 1), cancellationToken);
        }
    }
}
