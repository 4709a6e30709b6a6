namespace McpAspire.AuthServer.Keys;

/// <summary>A signing key as Redis keeps it: its schedule and its PKCS#12 certificate, sealed with Data Protection.</summary>
internal sealed record StoredKey(string KeyId, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Certificate);
