namespace McpAspire.Bench;

/// <summary>The header a load driver sends every call with: an API key, or a bearer token from the authorization server.</summary>
internal sealed record Credential(string Header, string Value);
