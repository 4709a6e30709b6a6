namespace McpAspire.Abstractions;

/// <summary>The client capabilities a handler can ask input through.</summary>
public enum ClientCapability
{
    Elicitation,
    Sampling,
    Roots,
}
