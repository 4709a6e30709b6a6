namespace McpAspire.Hosting.RateLimiting;

/// <summary>The answer to one rate-limit check.</summary>
/// <param name="Allowed">Whether the call may go ahead.</param>
/// <param name="Limit">Calls per window for this principal and tool.</param>
/// <param name="RetryAfter">When a refused caller may try again.</param>
/// <param name="Source">"redis", "local-fallback" (Redis unreachable) or "none".</param>
internal sealed record RateLimitDecision(bool Allowed, int Limit, TimeSpan? RetryAfter, string Source)
{
    public static RateLimitDecision Unlimited { get; } = new(true, 0, null, "none");

    /// <summary>Whole seconds for a <c>Retry-After</c> header: never 0, so a client does not retry at once.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling((RetryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds));

    /// <summary>What a refused caller is told, on every transport.</summary>
    public string Refusal(string tool) => $"Rate limit exceeded for '{tool}': {Limit} calls per window. Retry after {RetryAfterSeconds} s.";
}
