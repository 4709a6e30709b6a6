namespace McpAspire.Abstractions;

/// <summary>Reports a principal's remaining quota without spending any of it.</summary>
public interface IRateLimitStatusProvider
{
    ValueTask<RateLimitStatus> GetStatusAsync(string principal, string tool, CancellationToken cancellationToken);
}
