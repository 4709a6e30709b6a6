namespace McpAspire.Hosting.Tasks;

/// <summary>
/// A task as stored: who owns it, where it stands, and what it asks for or gave. <see cref="ResultJson"/> is the tool's
/// result (a task ended <c>completed</c>), <see cref="ErrorJson"/> its protocol error (<c>failed</c>); <see cref="Asked"/>
/// holds the input requests still unanswered, by key, as JSON; <see cref="Beat"/> is when the replica running it last
/// said it still does.
/// </summary>
internal sealed record TaskRecord(
    string Id,
    string Owner,
    string Tool,
    string Status,
    string? Message,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset Beat,
    string? ResultJson,
    string? ErrorJson,
    IReadOnlyDictionary<string, string> Asked);
