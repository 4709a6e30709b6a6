using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Aspire.Hosting;

/// <summary>The credentials of the remote hosts: the API key, trusted proxies, the key ring's certificate, HTTPS locally.</summary>
public static class McpAspireSecurityExtensions
{
    private const string KeyName = "default";

    /// <summary>
    /// The API key the remote hosts accept: locally a key generated per run (secret parameter <c>mcp-api-key</c>); published,
    /// the parameters <c>mcp-api-key-hash</c> (secret) and <c>trusted-proxies</c>, which azd asks for.
    /// </summary>
    public static McpAspireCredentials AddMcpAspireCredentials(this IDistributedApplicationBuilder builder) =>
        builder.ExecutionContext.IsPublishMode
            ? new McpAspireCredentials(
                null,
                builder.AddParameter("mcp-api-key-hash", secret: true),
                // Azure Container Apps terminates TLS at its ingress and forwards the scheme; set this to the environment's
                // infrastructure subnet so the hosts believe it (and nobody else).
                builder.AddParameter("trusted-proxies", "10.0.0.0/8", publishValueAsDefault: true))
            : new McpAspireCredentials(
                builder.AddParameter("mcp-api-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true),
                null,
                null);

    /// <summary>Gives a remote host the key's hash (never the key) with every tool in scope, and in publish mode its trusted proxies.</summary>
    public static IResourceBuilder<ProjectResource> WithMcpAspireCredentials(this IResourceBuilder<ProjectResource> project, McpAspireCredentials credentials)
    {
        project.WithEnvironment($"McpAspire__Security__ApiKeys__{KeyName}__Scopes__0", "*");
        if (credentials.KeyHash is { } hash)
        {
            project.WithEnvironment($"McpAspire__Security__ApiKeys__{KeyName}__Hash", hash);
        }

        if (credentials.TrustedProxies is { } proxies)
        {
            project.WithEnvironment("McpAspire__Security__KnownProxies__0", proxies);
        }

        if (credentials.Key is { } key)
        {
            project.WithEnvironment(async context =>
            {
                var value = await key.Resource.GetValueAsync(context.CancellationToken) ?? "";
                context.EnvironmentVariables[$"McpAspire__Security__ApiKeys__{KeyName}__Hash"] =
                    "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
            });
        }

        return project;
    }

    /// <summary>
    /// Deployed, the certificate that encrypts the Data Protection key ring in Redis (PEM text: the certificate and its
    /// private key), a secret azd asks for, given to every replica of <paramref name="project"/>; locally the ring stays
    /// unencrypted in the developer's own Redis, as the hosts say at start.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublishedKeyRingProtection(this IResourceBuilder<ProjectResource> project, IResourceBuilder<ParameterResource>? certificate) =>
        certificate is null ? project : project.WithEnvironment("McpAspire__State__KeyEncryptionCertificatePem", certificate);

    /// <summary>The secret parameter <see cref="WithPublishedKeyRingProtection"/> reads, in publish mode only.</summary>
    public static IResourceBuilder<ParameterResource>? AddKeyRingCertificate(this IDistributedApplicationBuilder builder) =>
        builder.ExecutionContext.IsPublishMode ? builder.AddParameter("keyring-certificate", secret: true) : null;

    /// <summary>Gives a client resource the key itself (<c>McpAspire:Probe:ApiKey</c>).</summary>
    public static IResourceBuilder<ProjectResource> WithMcpAspireApiKey(this IResourceBuilder<ProjectResource> project, McpAspireCredentials credentials) =>
        credentials.Key is { } key ? project.WithEnvironment("McpAspire__Probe__ApiKey", key) : project;

    /// <summary>
    /// The launch profile of the remote hosts: <c>https</c> (and http) where the ASP.NET Core development certificate is
    /// in the user's store, else <c>http</c>. Publishing always takes <c>http</c>: the platform's ingress terminates TLS.
    /// </summary>
    public static string RemoteHostLaunchProfile(this IDistributedApplicationBuilder builder) =>
        !builder.ExecutionContext.IsPublishMode && DevelopmentCertificateExists() ? "https" : "http";

    private static bool DevelopmentCertificateExists()
    {
        // The OID ASP.NET Core marks its development certificate with.
        const string AspNetHttpsOid = "1.3.6.1.4.1.311.84.1.1";
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        try
        {
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        }
        catch (CryptographicException)
        {
            return false; // no certificate store for this user at all: nobody ran dotnet dev-certs here
        }

        var found = false;
        foreach (var certificate in store.Certificates)
        {
            found |= certificate.Extensions[AspNetHttpsOid] is not null && certificate.HasPrivateKey && certificate.NotAfter > DateTime.Now;
            certificate.Dispose();
        }

        return found;
    }
}
