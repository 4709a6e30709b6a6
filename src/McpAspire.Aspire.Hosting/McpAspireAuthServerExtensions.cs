namespace Aspire.Hosting;

/// <summary>The authorization server MCP clients sign users in through, and the hosts that accept its tokens.</summary>
public static class McpAspireAuthServerExtensions
{
    private const string Section = "McpAspire__AuthServer__";

    /// <summary>The development identity provider's port (the authorization server's own comes from its launch profile).</summary>
    private const int DevelopmentIdentityPort = 5291;

    /// <summary>
    /// Adds the authorization server MCP clients sign in through (the project <typeparamref name="TAuthServer"/>, whose
    /// Program.cs calls <c>AddMcpAspireAuthServer</c> and <c>MapMcpAspireAuthServer</c>), two replicas on the shared
    /// cache. Locally it federates sign-in to a development identity provider with the users alice and bob (their passwords
    /// are their names unless the parameters <c>dev-password-alice</c> and <c>dev-password-bob</c> say otherwise); deployed,
    /// to the OpenID Connect provider the parameters <c>upstream-authority</c>, <c>upstream-client-id</c> and the secret
    /// <c>upstream-client-secret</c> name (Microsoft Entra ID: docs/security.md).
    /// </summary>
    /// <typeparam name="TAuthServer">The authorization server's project, as the AppHost's project reference names it (<c>Projects.*</c>).</typeparam>
    public static McpAspireAuthServer AddMcpAspireAuthServer<TAuthServer>(this IDistributedApplicationBuilder builder, string name, McpAspireCache cache, McpAspireCredentials credentials)
        where TAuthServer : IProjectMetadata, new()
    {
        // Reached by users' browsers and MCP clients from outside: an external endpoint when deployed.
        var server = builder.AddProject<TAuthServer>(name, launchProfileName: "http")
            .WithReplicas(2)
            .WithExternalHttpEndpoints()
            .WithMcpAspireCache(cache)
            .WithHttpHealthCheck("/health");
        var auth = new McpAspireAuthServer(server);
        server.WithEnvironment(Section + "Issuer", auth.Issuer)
            .WithEnvironment(context =>
            {
                for (var i = 0; i < auth.Resources.Count; i++)
                {
                    context.EnvironmentVariables[$"{Section}Resources__{i}"] = auth.Resources[i];
                }
            });
        if (credentials.TrustedProxies is { } proxies)
        {
            server.WithEnvironment(Section + "KnownProxies__0", proxies);
        }

        if (builder.ExecutionContext.IsPublishMode)
        {
            server.WithEnvironment(Section + "Upstream__Authority", builder.AddParameter("upstream-authority"))
                .WithEnvironment(Section + "Upstream__ClientId", builder.AddParameter("upstream-client-id"))
                .WithEnvironment(Section + "Upstream__ClientSecret", builder.AddParameter("upstream-client-secret", secret: true))
                .WithEnvironment(Section + "Upstream__DisplayName", builder.AddParameter("upstream-display-name", "your organization", publishValueAsDefault: true));
            return auth;
        }

        // The development identity provider: the same server, signing its named users in itself, with this deployment's
        // authorization server as its one (confidential, trusted) client. Its own key prefix keeps its state apart.
        var clientSecret = builder.AddParameter($"{name}-upstream-client-secret", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
        var identity = builder.AddProject<TAuthServer>("dev-identity", launchProfileName: null)
            .WithHttpEndpoint(port: DevelopmentIdentityPort, name: "http")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
            .WithMcpAspireCache(cache)
            .WithHttpHealthCheck("/health")
            .WithEnvironment("McpAspire__State__KeyPrefix", "mcpaspire-dev-identity")
            .ExcludeFromManifest();
        identity.WithEnvironment(Section + "Issuer", ReferenceExpression.Create($"{identity.GetEndpoint("http")}/"))
            .WithEnvironment(Section + "Scopes__0", "openid").WithEnvironment(Section + "Scopes__1", "profile").WithEnvironment(Section + "Scopes__2", "email")
            .WithEnvironment(Section + "DynamicRegistration__Enabled", "false")
            .WithEnvironment(Section + "ClientMetadataDocuments__Enabled", "false")
            .WithEnvironment(Section + $"Clients__{name}__Secret", clientSecret)
            .WithEnvironment(Section + $"Clients__{name}__RequireConsent", "false")
            .WithEnvironment(Section + $"Clients__{name}__RedirectUris__0", ReferenceExpression.Create($"{server.GetEndpoint("http")}/callback/login/upstream"));
        foreach (var user in new[] { "alice", "bob" })
        {
            identity.WithEnvironment(Section + $"Users__{user}__Password", builder.AddParameter($"dev-password-{user}", user, secret: true))
                .WithEnvironment(Section + $"Users__{user}__Name", char.ToUpperInvariant(user[0]) + user[1..]);
        }

        server.WithEnvironment(Section + "Upstream__Authority", ReferenceExpression.Create($"{identity.GetEndpoint("http")}/"))
            .WithEnvironment(Section + "Upstream__ClientId", name)
            .WithEnvironment(Section + "Upstream__ClientSecret", clientSecret)
            .WithEnvironment(Section + "Upstream__DisplayName", "the development identity provider")
            .WaitFor(identity);
        return auth;
    }

    /// <summary>
    /// Signs a remote host's users in through <paramref name="auth"/>: the host accepts its tokens for each of its MCP
    /// endpoints at <paramref name="paths"/> (one resource each, RFC 8707), lists it in its protected-resource metadata, and
    /// lets nobody in without a token or an API key, even from loopback.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMcpAspireSignIn(this IResourceBuilder<ProjectResource> host, McpAspireAuthServer auth, params string[] paths)
    {
        var endpoint = host.GetEndpoint("http");
        host.WithEnvironment("McpAspire__Security__Jwt__Authority", auth.Issuer)
            .WithEnvironment("McpAspire__Security__AllowAnonymousLoopback", "false");
        if (!host.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            // The local authorization server serves its metadata over http.
            host.WithEnvironment("McpAspire__Security__Jwt__RequireHttpsMetadata", "false");
        }

        for (var i = 0; i < paths.Length; i++)
        {
            var resource = ReferenceExpression.Create($"{endpoint}{paths[i]}");
            host.WithEnvironment($"McpAspire__Security__Jwt__Audiences__{i}", resource);
            auth.Resources.Add(resource);
        }

        return host;
    }
}
