using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.ConformanceHost;

/// <summary>completion/complete for completion-complete: fixed candidates for the fixture prompt's arguments, filtered by prefix.</summary>
internal static class ConformanceCompletions
{
    private static readonly Dictionary<string, string[]> Candidates = new(StringComparer.Ordinal)
    {
        ["arg1"] = ["test", "testValue1", "other"],
        ["arg2"] = ["test", "testValue2", "other"],
    };

    public static ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> request, CancellationToken cancellationToken)
    {
        var parameters = request.Params;
        string[] values = parameters?.Ref is PromptReference { Name: "test_prompt_with_arguments" } &&
            Candidates.TryGetValue(parameters.Argument.Name, out var candidates)
            ? [.. candidates.Where(candidate => candidate.StartsWith(parameters.Argument.Value, StringComparison.Ordinal))]
            : [];

        return ValueTask.FromResult(new CompleteResult
        {
            Completion = new Completion { Values = values, Total = values.Length, HasMore = false },
        });
    }
}
