namespace McpAspire.AuthorizationServer.Keys;

/// <summary>A signing key as Redis keeps it: its number, its id, its schedule and its PKCS#12 certificate, sealed with Data Protection.</summary>
internal sealed record StoredKey(int Generation, string KeyId, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Certificate);
