using System.Security.Cryptography;
using System.Text;
using McpAspire.Testing;

namespace McpAspire.Bench;

/// <summary>The settings that run a host as the AppHost deploys it, and the API key the benchmark's clients send it.</summary>
internal static class AsDeployed
{
    public const string ApiKey = "bench-api-key-0123456789abcdef";

    /// <summary><see cref="ApiKey"/> as the benchmark's clients send it.</summary>
    public static readonly Credential KeyCredential = new("X-API-Key", ApiKey);

    /// <summary>Production over plain http on loopback with <see cref="ApiKey"/> configured for every tool.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Production() =>
    [
        new("ASPNETCORE_ENVIRONMENT", "Production"),
        new("McpAspire__Security__RequireHttps", "false"),
        new("McpAspire__Security__ApiKeys__bench__Hash", "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ApiKey)))),
        new("McpAspire__Security__ApiKeys__bench__Scopes__0", "*"),
    ];

    /// <summary>
    /// One trace in ten, as deployed: the OpenTelemetry SDK's own sampler setting, parent-based so that a trace a caller
    /// sampled (traceparent) is kept whole across processes; metrics and logs are not sampled.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> OneTraceInTen() =>
    [
        new("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
        new("OTEL_TRACES_SAMPLER_ARG", "0.1"),
    ];

    /// <summary>
    /// <paramref name="settings"/> (a host's Redis and a rate limit no load reaches) as deployed: <see cref="Production"/>,
    /// OTLP to <paramref name="sink"/>, <see cref="OneTraceInTen"/>, and logging as the host's appsettings.json has it.
    /// </summary>
    public static Dictionary<string, string> Shipped(IEnumerable<KeyValuePair<string, string>> settings, OtlpSink sink)
    {
        var shipped = new Dictionary<string, string>();
        foreach (var (name, value) in settings.Concat(Production()).Concat(sink.Environment()).Concat(OneTraceInTen()))
        {
            shipped[name] = value;
        }

        shipped.Remove("Logging__LogLevel__Default");
        return shipped;
    }
}
