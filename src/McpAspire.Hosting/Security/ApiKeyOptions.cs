namespace McpAspire.Hosting.Security;

/// <summary>One API key: its SHA-256 hash, never the key itself, and the tools it may call.</summary>
public sealed class ApiKeyOptions
{
    /// <summary><c>sha256:{64 hex digits}</c>, the hash of the key's UTF-8 bytes (<c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string Hash { get; set; } = "";

    /// <summary>Tool names this key may call and list; <c>*</c> for all.</summary>
    public IList<string> Scopes { get; } = [];
}
