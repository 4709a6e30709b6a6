using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace McpAspire.State;

/// <summary>The certificate files of <see cref="McpAspireStateOptions"/>, checked while the host is built.</summary>
internal static class StateCertificates
{
    /// <summary>Throws the settings error (one line, exit code 1 in a host) unless <paramref name="path"/> holds a PEM certificate.</summary>
    public static void EnsureReadable(string path)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new OptionsValidationException(McpAspireStateOptions.SectionName, typeof(McpAspireStateOptions),
                [$"McpAspire:State:TlsCaCertificatePath '{path}' is not a readable PEM certificate: {ex.Message}"]);
        }
    }

    /// <summary>
    /// The certificate that encrypts the key ring (<c>McpAspire:State:KeyEncryptionCertificatePath</c>), with its private
    /// key; throws the settings error (one line, exit code 1 in a host) unless the files hold both.
    /// </summary>
    public static X509Certificate2 LoadKeyEncryption(string certificatePath, string? privateKeyPath) =>
        WithPrivateKey(() => X509Certificate2.CreateFromPemFile(certificatePath, privateKeyPath),
            $"McpAspire:State:KeyEncryptionCertificatePath '{certificatePath}' is not a readable PEM certificate with its private key");

    /// <summary>
    /// The same from PEM text holding the certificate and its private key (<c>McpAspire:State:KeyEncryptionCertificatePem</c>);
    /// the settings error names the setting, never its value.
    /// </summary>
    public static X509Certificate2 LoadKeyEncryptionPem(string pem) =>
        WithPrivateKey(() => X509Certificate2.CreateFromPem(pem, pem),
            "McpAspire:State:KeyEncryptionCertificatePem does not hold a PEM certificate and its private key");

    private static X509Certificate2 WithPrivateKey(Func<X509Certificate2> load, string problem)
    {
        try
        {
            var certificate = load();
            return certificate.HasPrivateKey ? certificate : throw new CryptographicException("the certificate has no private key");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new OptionsValidationException(McpAspireStateOptions.SectionName, typeof(McpAspireStateOptions), [$"{problem}: {ex.Message}"]);
        }
    }
}
