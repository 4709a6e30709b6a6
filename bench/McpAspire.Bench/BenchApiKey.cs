using System.Security.Cryptography;
using System.Text;

namespace McpAspire.Bench;

/// <summary>The API key the benchmark's clients send to hosts in Production, and the settings that configure it.</summary>
internal static class BenchApiKey
{
    public const string Key = "bench-api-key-0123456789abcdef";

    /// <summary>Production over plain http on loopback with <see cref="Key"/> configured for every tool.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ProductionSettings() =>
    [
        new("ASPNETCORE_ENVIRONMENT", "Production"),
        new("McpAspire__Security__RequireHttps", "false"),
        new("McpAspire__Security__ApiKeys__bench__Hash", "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)))),
        new("McpAspire__Security__ApiKeys__bench__Scopes__0", "*"),
    ];
}
