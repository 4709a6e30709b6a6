using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace McpAspire.Testing;

/// <summary>
/// A throw-away certificate authority and a server certificate it signed for localhost, 127.0.0.1 and ::1, written to
/// a temporary folder: the hosts serve HTTPS with the PFX, and clients trust the authority and nothing else.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string PfxPassword = "mcpaspire-tests";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mcpaspire-certs-");

    public TestCertificates()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=McpAspire Test Authority", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Authority = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = serverRequest.Create(Authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(6), RandomNumberGenerator.GetBytes(8));
        using var server = issued.CopyWithPrivateKey(serverKey);

        PfxPath = Path.Combine(_folder.FullName, "server.pfx");
        File.WriteAllBytes(PfxPath, server.Export(X509ContentType.Pfx, PfxPassword));
        AuthorityPemPath = Path.Combine(_folder.FullName, "authority.pem");
        File.WriteAllText(AuthorityPemPath, Authority.ExportCertificatePem());
        ServerCertificatePemPath = Path.Combine(_folder.FullName, "server.crt");
        File.WriteAllText(ServerCertificatePemPath, issued.ExportCertificatePem());
        ServerKeyPemPath = Path.Combine(_folder.FullName, "server.key");
        File.WriteAllText(ServerKeyPemPath, serverKey.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The server certificate and its key as PEM, for a server that reads PEM files (redis-server's TLS).</summary>
    public string ServerCertificatePemPath { get; }

    public string ServerKeyPemPath { get; }

    public X509Certificate2 Authority { get; }

    public string PfxPath { get; }

    /// <summary>The authority as PEM, for Node's <c>NODE_EXTRA_CA_CERTS</c>.</summary>
    public string AuthorityPemPath { get; }

    /// <summary>A handler that trusts servers whose chain ends at <see cref="Authority"/>, and no redirects (tests check them).</summary>
    public HttpClientHandler Handler() => new()
    {
        AllowAutoRedirect = false,
        ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(Authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate);
        },
    };

    /// <summary>An HTTP client that trusts <see cref="Authority"/> and follows no redirects.</summary>
    public HttpClient Client() => new(Handler()) { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose()
    {
        Authority.Dispose();
        _folder.Delete(recursive: true);
    }
}
