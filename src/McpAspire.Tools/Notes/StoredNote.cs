namespace McpAspire.Tools.Notes;

/// <summary>A note's hash field value; the name is the field.</summary>
internal sealed record StoredNote(string Content, DateTimeOffset UpdatedAt);
