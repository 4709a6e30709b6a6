namespace McpAspire.Distributed.Tests;

/// <summary>The test classes that share one start of the whole AppHost (it takes a minute or two).</summary>
[CollectionDefinition(DeploymentFixture.Collection)]
public sealed class DeploymentGroup : ICollectionFixture<DeploymentFixture>;
