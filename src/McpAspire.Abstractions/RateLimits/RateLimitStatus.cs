using System.Text.Json.Serialization;

namespace McpAspire.Abstractions;

/// <summary>A caller's quota for one tool as the shared limiter sees it.</summary>
/// <param name="Tool">The tool the quota is for: limits are per principal and per tool.</param>
/// <param name="Enforced">False when no limiter is configured for this host.</param>
/// <param name="Limit">Permits per window.</param>
/// <param name="Remaining">Permits left in the current window.</param>
/// <param name="ResetAt">When the window refills.</param>
/// <param name="Source">Which limiter answered: e.g. "redis", "local-fallback", "none".</param>
public sealed record RateLimitStatus(
    string Tool,
    bool Enforced,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? Limit,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? Remaining,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? ResetAt,
    string Source);
