namespace McpAspire.Testing;

/// <summary>One item of an event stream: an event (with its id, if any) or a comment line.</summary>
public sealed record SseItem(string? Id, string Event, string Data, bool IsComment);
