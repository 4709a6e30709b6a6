namespace McpAspire.Abstractions;

/// <summary>The status where no shared limiter is registered: nothing is enforced, and it says so.</summary>
internal sealed class NoRateLimitStatusProvider : IRateLimitStatusProvider
{
    /// <inheritdoc />
    public ValueTask<RateLimitStatus> GetStatusAsync(string principal, string tool, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new RateLimitStatus(tool, Enforced: false, Limit: null, Remaining: null, ResetAt: null, Source: "none"));
}
