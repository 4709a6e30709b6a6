namespace Aspire.Hosting;

/// <summary>The shared cache: the resource hosts reference (its connection string) and the one they wait for.</summary>
public sealed record McpAspireCache(IResourceBuilder<IResourceWithConnectionString> Connection, IResourceBuilder<IResource> Server);
