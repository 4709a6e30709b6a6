using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Abstractions;

#pragma warning disable MCP9005 // Sampling and roots are deprecated as of 2026-07-28 and still served to clients that declare them: asking through them is what this helper is for.

/// <summary>
/// Asking the client for input (the user through elicitation, the client's model through sampling, its roots) in the
/// one way that works in every protocol era: the handler throws an <see cref="InputRequiredException"/>. A 2026-07-28
/// client gets it as an <c>InputRequiredResult</c> and calls again with <c>inputResponses</c>; on a 2025-era session the
/// SDK sends the classic request to the client and calls the handler again with the answers. Either way the handler reads
/// the answers here, each checked for shape: an answer that is missing or malformed reads as none, and the handler asks
/// again.
/// </summary>
public static class ClientInputs
{
    /// <summary>
    /// The capabilities the client declared: on this request (2026-07-28, per-request <c>_meta</c>), else on its session.
    /// </summary>
    public static ClientCapabilities? Capabilities<TParams>(RequestContext<TParams> context) =>
        context.JsonRpcRequest?.Context?.ClientCapabilities ?? context.Server.ClientCapabilities;

    /// <summary>
    /// Throws the revision's error (<c>-32021</c>, <c>requiredCapabilities</c> in its data) unless the client declared
    /// <paramref name="required"/>; <paramref name="why"/> tells the user what the capability is needed for. Nothing has
    /// run when it throws.
    /// </summary>
    public static void Require<TParams>(RequestContext<TParams> context, ClientCapability required, string why)
    {
        var declared = Capabilities(context);
        var has = required switch
        {
            ClientCapability.Elicitation => declared?.Elicitation is not null,
            ClientCapability.Sampling => declared?.Sampling is not null,
            ClientCapability.Roots => declared?.Roots is not null,
            _ => false,
        };
        if (!has)
        {
            var capabilities = required switch
            {
                ClientCapability.Elicitation => new ClientCapabilities { Elicitation = new() },
                ClientCapability.Sampling => new ClientCapabilities { Sampling = new() },
                _ => new ClientCapabilities { Roots = new() },
            };
            throw new MissingRequiredClientCapabilityException(capabilities,
                $"{why} The client did not declare the '{required.ToString().ToLowerInvariant()}' capability; nothing was done.");
        }
    }

    /// <summary>Whether the client declared <paramref name="capability"/>, for a handler that can do without it.</summary>
    public static bool Has<TParams>(RequestContext<TParams> context, ClientCapability capability) => capability switch
    {
        ClientCapability.Elicitation => Capabilities(context)?.Elicitation is not null,
        ClientCapability.Sampling => Capabilities(context)?.Sampling is not null,
        _ => Capabilities(context)?.Roots is not null,
    };

    /// <summary>The user's answer to the elicitation asked under <paramref name="key"/>, when there is a well-formed one.</summary>
    public static ElicitResult? Elicited(RequestParams? parameters, string key) =>
        Answer(parameters, key) is { ValueKind: JsonValueKind.Object } answer &&
        answer.TryGetProperty("action", out var action) && action.GetString() is "accept" or "decline" or "cancel" &&
        (!answer.TryGetProperty("content", out var content) || content.ValueKind is JsonValueKind.Object or JsonValueKind.Null)
            ? Deserialize(answer, InputResponse.ElicitResultJsonTypeInfo)
            : null;

    /// <summary>The client model's answer to the sampling request asked under <paramref name="key"/>, when there is a well-formed one.</summary>
    public static CreateMessageResult? Sampled(RequestParams? parameters, string key) =>
        Answer(parameters, key) is { ValueKind: JsonValueKind.Object } answer && answer.TryGetProperty("content", out _) && answer.TryGetProperty("role", out _)
            ? Deserialize(answer, InputResponse.CreateMessageResultJsonTypeInfo)
            : null;

    /// <summary>The client's roots, answered under <paramref name="key"/>, when there is a well-formed answer.</summary>
    public static ListRootsResult? Roots(RequestParams? parameters, string key) =>
        Answer(parameters, key) is { ValueKind: JsonValueKind.Object } answer && answer.TryGetProperty("roots", out var roots) && roots.ValueKind == JsonValueKind.Array
            ? Deserialize(answer, InputResponse.ListRootsResultJsonTypeInfo)
            : null;

    /// <summary>The text of a sampling answer (its text blocks joined), or null when it has none.</summary>
    public static string? Text(CreateMessageResult? result) =>
        result?.Content is { } blocks && string.Concat(blocks.OfType<TextContentBlock>().Select(b => b.Text)) is { Length: > 0 } text ? text : null;

    private static JsonElement? Answer(RequestParams? parameters, string key) =>
        parameters?.InputResponses is { } responses && responses.TryGetValue(key, out var response) && response is not null ? response.RawValue : null;

    private static T? Deserialize<T>(JsonElement answer, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) where T : class
    {
        try
        {
            return answer.Deserialize(typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
