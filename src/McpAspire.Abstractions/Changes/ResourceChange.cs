namespace McpAspire.Abstractions;

/// <summary>
/// A change to a resource clients can subscribe to: whose it is (only streams of that principal hear it), its URI, and
/// whether the list of resources changed with it (it was created or deleted).
/// </summary>
public sealed record ResourceChange(string Owner, string Uri, bool ListChanged);
