namespace McpAspire.Abstractions;

/// <summary>The client capabilities a handler can ask input through.</summary>
public enum ClientCapability
{
    /// <summary>The client asks its user for input (<c>elicitation/create</c>).</summary>
    Elicitation,

    /// <summary>The client asks its model for a completion (<c>sampling/createMessage</c>).</summary>
    Sampling,

    /// <summary>The client lists the roots its user shares (<c>roots/list</c>).</summary>
    Roots,
}
