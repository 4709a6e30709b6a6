using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Security;

/// <summary>The configured keys' names, hashes and scopes, decoded once for the life of the host.</summary>
internal sealed class ApiKeyTable(IOptions<McpSecurityOptions> security)
{
    public (string Name, byte[] Hash, IList<string> Scopes)[] Keys { get; } =
        security.Value.ApiKeys.Select(k => (k.Key, Convert.FromHexString(k.Value.Hash["sha256:".Length..]), k.Value.Scopes)).ToArray();
}
