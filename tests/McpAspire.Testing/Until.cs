namespace McpAspire.Testing;

/// <summary>Waits for a condition with a deadline instead of sleeping and hoping.</summary>
public static class Until
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Waits until <paramref name="condition"/> holds; past the deadline, throws saying <paramref name="what"/>.</summary>
    public static Task TrueAsync(Func<bool> condition, Func<string> what, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        ValueAsync(() => Task.FromResult(condition()), holds => holds, _ => what(), cancellationToken, timeout);

    /// <summary>
    /// Reads <paramref name="read"/> until <paramref name="done"/> holds for what it returns, and returns that; past the
    /// deadline, throws saying <paramref name="what"/> of the last value read.
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, Func<T, string> what, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what(value)}.");
            }

            await Task.Delay(10, cancellationToken);
        }
    }
}
