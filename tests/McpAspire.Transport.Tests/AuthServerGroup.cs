using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>The test classes that share one authorization server deployment (two replicas, the upstream, two hosts).</summary>
[CollectionDefinition(Name)]
public sealed class AuthServerGroup : ICollectionFixture<AuthServerFixture>
{
    public const string Name = "auth-server";
}
