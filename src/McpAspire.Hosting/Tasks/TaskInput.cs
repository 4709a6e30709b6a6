namespace McpAspire.Hosting.Tasks;

/// <summary>Every answer to a task's input requests, taken together with the request state the tool gave when it asked.</summary>
internal sealed record TaskInput(IReadOnlyDictionary<string, string> Answers, string? RequestState);
