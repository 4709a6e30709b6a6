using System.Globalization;
using System.Text;
using System.Text.Json;

namespace McpAspire.Reliability.Tests.Infrastructure;

/// <summary>One corpus case; <see cref="Expect"/> has an entry per target, <c>http</c> standing for the worker and the session.</summary>
internal sealed record HostileCase(string Name, byte[] Body, IReadOnlyDictionary<string, string> Headers, JsonElement Expect)
{
    public bool IsInitialize => Encoding.UTF8.GetString(Body).Contains("\"method\":\"initialize\"", StringComparison.Ordinal);

    /// <summary>What <paramref name="target"/> must answer, or null when the case does not apply to it.</summary>
    public JsonElement? ExpectationFor(string target) =>
        Expect.TryGetProperty(target, out var specific) ? specific
        : target is "worker" or "session" && Expect.TryGetProperty("http", out var http) ? http
        : null;
}
