using System.Security.Cryptography.X509Certificates;

namespace McpAspire.AuthorizationServer.Keys;

/// <summary>A signing key of the ring: its id (the JWKS <c>kid</c>) and its certificate, whose validity is its schedule.</summary>
internal sealed record SigningKey(string KeyId, X509Certificate2 Certificate);
