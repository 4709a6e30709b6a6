namespace McpAspire.Abstractions;

/// <summary>Reports a principal's remaining quota without spending any of it.</summary>
public interface IRateLimitStatusProvider
{
    /// <summary>What is left of <paramref name="principal"/>'s quota for calls of <paramref name="tool"/>.</summary>
    ValueTask<RateLimitStatus> GetStatusAsync(string principal, string tool, CancellationToken cancellationToken);
}
