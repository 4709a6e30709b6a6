using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Validation;

/// <summary>
/// Refuses <c>prompts/get</c> without a required argument with -32602 naming it, where the SDK would answer
/// -32603 "An error occurred".
/// </summary>
internal static class PromptArgumentValidator
{
    /// <summary>The <c>prompts/get</c> filter: a request missing a required argument is refused with -32602 naming it; any other goes on to <paramref name="next"/>.</summary>
    public static McpRequestHandler<GetPromptRequestParams, GetPromptResult> Filter(McpRequestHandler<GetPromptRequestParams, GetPromptResult> next) =>
        (request, cancellationToken) =>
        {
            if (request.MatchedPrimitive is McpServerPrompt prompt)
            {
                var missing = (prompt.ProtocolPrompt.Arguments ?? [])
                    .Where(argument => argument.Required is true && request.Params?.Arguments?.ContainsKey(argument.Name) is not true)
                    .Select(argument => $"'{argument.Name}'")
                    .ToList();
                if (missing.Count > 0)
                {
                    throw new McpProtocolException(
                        $"Prompt '{prompt.ProtocolPrompt.Name}' is missing required argument {string.Join(", ", missing)}.",
                        McpErrorCode.InvalidParams);
                }
            }

            return next(request, cancellationToken);
        };
}
