namespace McpAspire.Tools.Notes;

/// <summary>A principal's note: a short named text.</summary>
public sealed record Note(string Name, string Content, DateTimeOffset UpdatedAt);
