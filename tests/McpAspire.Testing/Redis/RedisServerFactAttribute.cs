using System.Runtime.CompilerServices;

namespace McpAspire.Testing;

/// <summary>A fact that runs only where Debian's redis-server is installed, and otherwise is skipped saying what it needs.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RedisServerFactAttribute : FactAttribute
{
    /// <param name="what">What only redis-server gives this test, for the skip reason.</param>
    public RedisServerFactAttribute(string what, [CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        Skip = LocalRedis.RedisServerMissing(what);
        SkipUnless = nameof(LocalRedis.RedisServerInstalled);
        SkipType = typeof(LocalRedis);
    }
}
