using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace McpAspire.Testing;

/// <summary>
/// Debian's redis-server as a managed Redis runs: TLS only (no plain port), with a certificate from a throw-away
/// authority (<see cref="Certificates"/>) and a password, as every managed Redis requires.
/// </summary>
public sealed class TlsRedisServer : RedisProcessServer
{
    public const string Password = "tls-redis-password-5b1e";

    public TestCertificates Certificates { get; } = new();

    public override string Name => "redis-server (TLS)";

    public override string? Missing => LocalRedis.RedisServerInstalled ? null : LocalRedis.RedisServerMissing("Redis over TLS with a password");

    public override bool KeepsWritesAcrossRestarts => false;

    public override string ConnectionString => $"127.0.0.1:{Port},ssl=true,password={Password}";

    public override ConfigurationOptions ClientOptions()
    {
        var options = base.ClientOptions();
        options.TrustIssuer(Certificates.AuthorityPemPath);
        return options;
    }

    protected override ProcessStartInfo CreateStartInfo() => new("redis-server",
    [
        "--port", "0", "--tls-port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
        "--tls-cert-file", Certificates.ServerCertificatePemPath, "--tls-key-file", Certificates.ServerKeyPemPath,
        "--tls-ca-cert-file", Certificates.AuthorityPemPath, "--tls-auth-clients", "no",
        "--requirepass", Password, "--save", "", "--appendonly", "no",
    ]);

    protected override ValueTask CleanUpAsync()
    {
        Certificates.Dispose();
        return ValueTask.CompletedTask;
    }
}
