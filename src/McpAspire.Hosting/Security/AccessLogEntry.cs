namespace McpAspire.Hosting.Security;

/// <summary>What the security edge decided about a request, for its access log line.</summary>
internal sealed class AccessLogEntry
{
    /// <summary>Why the request was refused (<c>missing_credentials</c>, <c>origin</c>, …); null when it was not.</summary>
    public string? Refusal { get; set; }
}
