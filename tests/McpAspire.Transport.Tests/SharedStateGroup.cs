using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// The suites that only use the shared deployment (none restarts or kills a part of it) share one, and run one after
/// another: four processes for them all rather than four for each.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedStateGroup : ICollectionFixture<SharedStateFixture>
{
    public const string Name = "shared state";
}
