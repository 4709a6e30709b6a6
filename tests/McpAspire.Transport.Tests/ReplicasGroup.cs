using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>The replica suites share one set of front-end replicas on one cache, and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ReplicasGroup : ICollectionFixture<ReplicasFixture>
{
    public const string Name = "replicas";
}
