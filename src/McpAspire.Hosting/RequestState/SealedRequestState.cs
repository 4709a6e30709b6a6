using System.Text.Json.Serialization;
using McpAspire.State;

namespace McpAspire.Hosting.RequestState;

/// <summary>What travels inside a sealed <c>requestState</c>, encrypted and authenticated: the handler's own state and what binds it.</summary>
/// <param name="Id">Random, unique per state: the key of its single-use marker.</param>
/// <param name="Principal">The caller it was issued to.</param>
/// <param name="Method">The request's method (<c>tools/call</c>, <c>prompts/get</c>).</param>
/// <param name="Name">The tool or prompt the request named.</param>
/// <param name="ArgumentsDigest">The digest of the request's arguments (<see cref="RequestState.ArgumentsDigest"/>).</param>
/// <param name="ExpiresAt">Unix milliseconds after which the state is refused.</param>
/// <param name="State">The handler's own state, as it gave it; null when it gave none.</param>
internal sealed record SealedRequestState(
    [property: JsonPropertyName("i")] string Id,
    [property: JsonPropertyName("p")] string Principal,
    [property: JsonPropertyName("m")] string Method,
    [property: JsonPropertyName("n")] string Name,
    [property: JsonPropertyName("d")] string ArgumentsDigest,
    [property: JsonPropertyName("e")] long ExpiresAt,
    [property: JsonPropertyName("s")] string? State);
