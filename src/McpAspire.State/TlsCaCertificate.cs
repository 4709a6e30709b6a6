using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace McpAspire.State;

/// <summary><c>McpAspire:State:TlsCaCertificatePath</c>: a file that must hold a PEM certificate, checked while the host is built.</summary>
internal static class TlsCaCertificate
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
}
