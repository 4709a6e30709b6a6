namespace McpAspire.Abstractions;

/// <summary>What <c>rate_limit_status</c> returns: the caller and a quota per tool.</summary>
public sealed record RateLimitReport(string Principal, IReadOnlyList<RateLimitStatus> Limits);
