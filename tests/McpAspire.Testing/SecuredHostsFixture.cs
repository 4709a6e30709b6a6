using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace McpAspire.Testing;

/// <summary>
/// The SSE front-end and the HTTP worker as they run in production: HTTPS with a certificate from a test authority,
/// API keys and JWTs from a real (loopback) authorization server, allow-lists, a body limit, an access log file.
/// Both listen on IPv4 and IPv6 loopback, over HTTPS and plain HTTP. <c>::1</c> is the one known proxy.
/// </summary>
public sealed class SecuredHostsFixture : IAsyncLifetime
{
    public const string FullKey = "mcpaspire-test-key-full-7d1f0c55";
    public const string EchoOnlyKey = "mcpaspire-test-key-echo-2b8e9a41";
    public const string AllowedOrigin = "https://app.example.com";
    public const long MaxRequestBytes = 64 * 1024;

    /// <summary><c>add</c> calls per principal per 10 minutes.</summary>
    public const int AddLimit = 3;

    private readonly DirectoryInfo _logs = Directory.CreateTempSubdirectory("mcpaspire-access-");

    /// <summary>The front-end scales out, which needs Redis: embedded Garnet, its own.</summary>
    private readonly GarnetRedisServer _cache = new();

    public TestCertificates Certificates { get; } = new();

    public TokenIssuer Issuer { get; private set; } = null!;

    public HostProcess FrontEnd { get; private set; } = null!;

    public HostProcess Worker { get; private set; } = null!;

    public static string Sha256(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The settings every secured host gets; tests add or override some for hosts of their own.</summary>
    public Dictionary<string, string> Environment(string accessLog) => Secured(Certificates, Issuer, Path.Combine(_logs.FullName, accessLog));

    /// <summary>
    /// A host as deployed: Production, HTTPS with <paramref name="certificates"/>' server certificate, the test API keys and
    /// <paramref name="issuer"/>'s tokens, the allow-lists, the body limit and an access log at <paramref name="accessLogPath"/>.
    /// </summary>
    public static Dictionary<string, string> Secured(TestCertificates certificates, TokenIssuer issuer, string accessLogPath) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Kestrel__Certificates__Default__Path"] = certificates.PfxPath,
        ["Kestrel__Certificates__Default__Password"] = TestCertificates.PfxPassword,
        ["McpAspire__Security__ApiKeys__full__Hash"] = Sha256(FullKey),
        ["McpAspire__Security__ApiKeys__full__Scopes__0"] = "*",
        ["McpAspire__Security__ApiKeys__echo-only__Hash"] = Sha256(EchoOnlyKey),
        ["McpAspire__Security__ApiKeys__echo-only__Scopes__0"] = "echo",
        ["McpAspire__Security__ApiKeys__echo-only__Scopes__1"] = "whoami",
        ["McpAspire__Security__Jwt__Authority"] = issuer.Authority,
        ["McpAspire__Security__Jwt__Audience"] = TokenIssuer.Audience,
        ["McpAspire__Security__Jwt__RequireHttpsMetadata"] = "false",
        ["McpAspire__Security__AllowedOrigins__0"] = AllowedOrigin,
        ["McpAspire__Security__AllowedNetworks__0"] = "127.0.0.0/8",
        ["McpAspire__Security__AllowedNetworks__1"] = "::1/128",
        ["McpAspire__Security__AllowedNetworks__2"] = "10.0.0.0/8",
        ["McpAspire__Security__KnownProxies__0"] = "::1",
        ["McpAspire__Security__MaxRequestBytes"] = MaxRequestBytes.ToString(CultureInfo.InvariantCulture),
        ["McpAspire__Security__RequestsPerClientPerSecond"] = "1000",
        ["McpAspire__RateLimiting__Tools__add"] = AddLimit.ToString(CultureInfo.InvariantCulture),
        ["McpAspire__RateLimiting__Window"] = "00:10:00",
        ["McpAspire__Security__AccessLogPath"] = accessLogPath,
    };

    public const string Urls = "https://127.0.0.1:0;http://127.0.0.1:0;https://[::1]:0;http://[::1]:0";

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        Issuer = await TokenIssuer.StartAsync(ct);
        await _cache.InitializeAsync();
        var frontEndEnvironment = Environment("front-end.log");
        frontEndEnvironment["ConnectionStrings__cache"] = _cache.ConnectionString;
        var frontEnd = HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), frontEndEnvironment, ct, "--urls", Urls);
        var worker = HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), Environment("worker.log"), ct, "--urls", Urls);
        FrontEnd = await frontEnd;
        Worker = await worker;
        await Task.WhenAll(FrontEnd.WaitUntilReadyAsync(ct), Worker.WaitUntilReadyAsync(ct));
    }

    public HostProcess Host(bool frontEnd) => frontEnd ? FrontEnd : Worker;

    /// <summary>The host's address for a scheme (https or http) on IPv4 or IPv6 loopback.</summary>
    public static Uri Address(HostProcess host, string scheme, bool ipv6 = false) =>
        host.Addresses.First(a => a.Scheme == scheme && (a.HostNameType == UriHostNameType.IPv6) == ipv6);

    /// <summary>
    /// The whole lines the host has appended to its access log files so far: the sink writes through a buffer, so a
    /// file can end in the first part of a line.
    /// </summary>
    public string AccessLog(bool frontEnd) => WholeLines(_logs.GetFiles((frontEnd ? "front-end" : "worker") + "*.log"));

    /// <summary>The whole lines written to <paramref name="files"/> so far (a file a host still writes may end in part of one).</summary>
    public static string WholeLines(IEnumerable<FileInfo> files)
    {
        var text = new StringBuilder();
        foreach (var file in files)
        {
            using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var written = reader.ReadToEnd();
            text.Append(written.AsSpan(0, written.LastIndexOf('\n') + 1));
        }

        return text.ToString();
    }

    /// <summary>An HTTP client that trusts the test authority and follows no redirects.</summary>
    public HttpClient Client() => Certificates.Client();

    public async ValueTask DisposeAsync()
    {
        if (FrontEnd is not null)
        {
            await FrontEnd.DisposeAsync();
        }

        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }

        if (Issuer is not null)
        {
            await Issuer.DisposeAsync();
        }

        await _cache.DisposeAsync();
        Certificates.Dispose();
        _logs.Delete(recursive: true);
    }
}
