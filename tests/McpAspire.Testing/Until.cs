namespace McpAspire.Testing;

/// <summary>Waits for a condition with a deadline instead of sleeping and hoping.</summary>
public static class Until
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static async Task TrueAsync(Func<bool> condition, Func<string> what, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what()}.");
            }

            await Task.Delay(10, cancellationToken);
        }
    }
}
