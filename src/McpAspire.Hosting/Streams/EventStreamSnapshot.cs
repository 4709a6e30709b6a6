namespace McpAspire.Hosting.Streams;

/// <summary>A stream as one read found it: its metadata (null when the stream is unknown or expired) and the events after a sequence.</summary>
internal sealed record EventStreamSnapshot(EventStreamMeta? Meta, string[] Members);
