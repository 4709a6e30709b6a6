namespace Aspire.Hosting;

/// <summary>
/// The deployment's authorization server and the MCP resources it issues tokens for: every host that signs its users in
/// through it (<see cref="McpAspireAuthServerExtensions.WithMcpAspireSignIn"/>) adds its endpoints here.
/// </summary>
public sealed class McpAspireAuthServer
{
    internal McpAspireAuthServer(IResourceBuilder<ProjectResource> server) => Server = server;

    /// <summary>The authorization server's project resource.</summary>
    public IResourceBuilder<ProjectResource> Server { get; }

    /// <summary>The MCP endpoints (resource URLs) tokens may be issued for.</summary>
    internal List<ReferenceExpression> Resources { get; } = [];

    /// <summary>The issuer as clients and resources must spell it: the server's URL with a trailing slash.</summary>
    public ReferenceExpression Issuer => ReferenceExpression.Create($"{Server.GetEndpoint("http")}/");
}
