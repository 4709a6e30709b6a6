using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>The security suites share one set of hosts running as in production, and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SecuredHostsGroup : ICollectionFixture<SecuredHostsFixture>
{
    public const string Name = "secured hosts";
}
