namespace Aspire.Hosting;

/// <summary>
/// The shared cache: the resource hosts reference (its connection string) and the one they wait for; none for an
/// external Redis, which runs whether or not this deployment does.
/// </summary>
public sealed record McpAspireCache(IResourceBuilder<IResourceWithConnectionString> Connection, IResourceBuilder<IResource>? Server);
