using System.Net;
using System.Threading.RateLimiting;
using McpAspire.AuthorizationServer;
using McpAspire.AuthorizationServer.Authorization;
using McpAspire.AuthorizationServer.Clients;
using McpAspire.AuthorizationServer.Keys;
using McpAspire.AuthorizationServer.SignIn;
using McpAspire.AuthorizationServer.Stores;
using McpAspire.State;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using OpenIddict.Client;
using OpenIddict.Server;
using StackExchange.Redis;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Microsoft.Extensions.Hosting;

/// <summary>The authorization server MCP clients sign users in through: its services and its endpoints.</summary>
public static class McpAspireAuthServerExtensions
{
    /// <summary>The Redis the server keeps its state in (<c>ConnectionStrings:cache</c>).</summary>
    public const string CacheConnectionName = "cache";

    private const string PublicCorsPolicy = "oauth-public";

    /// <summary>
    /// The deployment's authorization server (<c>McpAspire:AuthServer</c>): OpenIddict's authorization code flow with
    /// PKCE S256 only, resource indicators, rotating refresh tokens, its metadata (RFC 8414 and OpenID discovery), client
    /// registration by metadata document, Dynamic Client Registration and configuration, sign-in through the upstream
    /// provider (or the development form), consent, and signing keys every replica shares. Its state is in Redis.
    /// </summary>
    public static IHostApplicationBuilder AddMcpAspireAuthServer(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthServerOptions>().BindConfiguration(AuthServerOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthServerOptions>, AuthServerOptionsValidator>();
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(CacheConnectionName)))
        {
            throw new OptionsValidationException(AuthServerOptions.SectionName, typeof(AuthServerOptions),
                [$"ConnectionStrings:{CacheConnectionName} must be set: the authorization server keeps clients, grants, tokens and signing keys in Redis, shared by every replica."]);
        }

        // The parts of the settings that shape the services; the validator reports what is wrong with them at start.
        var options = builder.Configuration.GetSection(AuthServerOptions.SectionName).Get<AuthServerOptions>() ?? new AuthServerOptions();
        var requireHttps = options.RequireHttps ?? !builder.Environment.IsDevelopment();
        var cookieName = AuthServerCookies.NameOf(options);

        builder.AddMcpAspireState(CacheConnectionName);
        // Cookies, anti-forgery tokens, codes and refresh tokens are sealed with the key ring every replica reads from Redis;
        // the name keeps them apart from another server's sealed data on the same Redis.
        services.AddDataProtection().SetApplicationName($"McpAspire.AuthorizationServer.{cookieName}");

        services.AddSingleton<OAuthRedis>();
        services.AddSingleton<ConfiguredClients>();
        services.AddSingleton<ClientMetadataDocuments>();
        services.AddSingleton<ResourceScopes>();
        services.AddSingleton<SigningKeyRing>();
        services.AddHostedService<SigningKeyRingService>();
        services.AddSingleton<SigningKeysSetup>();
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>>(sp => sp.GetRequiredService<SigningKeysSetup>());
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>>(sp => sp.GetRequiredService<SigningKeysSetup>());
        services.AddHealthChecks().AddCheck<SigningKeysHealthCheck>("signing-keys", tags: ["ready"]);
        services.AddScoped<AuthorizeEndpoint>();
        services.AddScoped<RegistrationEndpoint>();
        if (options.Users.Count > 0)
        {
            services.AddSingleton<DevelopmentSignIn>();
            services.AddSingleton<ISignInSource>(sp => sp.GetRequiredService<DevelopmentSignIn>());
        }
        else
        {
            services.AddSingleton<UpstreamSignIn>();
            services.AddSingleton<ISignInSource>(sp => sp.GetRequiredService<UpstreamSignIn>());
        }

        services.AddAuthentication(UserCookie.Scheme).AddCookie(UserCookie.Scheme, cookie =>
        {
            cookie.Cookie.Name = cookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.ExpireTimeSpan = options.SignInLifetime;
            cookie.SlidingExpiration = true;
        });
        services.AddAntiforgery(antiforgery => antiforgery.Cookie.Name = cookieName + ".antiforgery");
        services.AddAuthorization();
        services.AddCors(cors => cors.AddPolicy(PublicCorsPolicy, policy => policy.AllowAnyOrigin().AllowAnyHeader().WithMethods(HttpMethods.Get, HttpMethods.Post)));
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<AuthServerOptions>>((forwarded, server) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in server.Value.KnownProxies)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(proxy, out var network) ? network
                    : IPAddress.TryParse(proxy, out var address) ? new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
                    : throw new OptionsValidationException(AuthServerOptions.SectionName, typeof(AuthServerOptions), [$"{AuthServerOptions.SectionName}:KnownProxies has '{proxy}'."]));
            }
        });
        AddRegistrationRateLimit(services, options);

        var openIddict = services.AddOpenIddict()
            .AddCore(core => core
                .SetDefaultApplicationEntity<OAuthApplication>()
                .SetDefaultAuthorizationEntity<OAuthAuthorization>()
                .SetDefaultTokenEntity<OAuthToken>()
                .ReplaceApplicationStore<OAuthApplication, RedisApplicationStore>(ServiceLifetime.Singleton)
                .ReplaceAuthorizationStore<OAuthAuthorization, RedisAuthorizationStore>(ServiceLifetime.Singleton)
                .ReplaceTokenStore<OAuthToken, RedisTokenStore>(ServiceLifetime.Singleton)
                .ReplaceApplicationManager<OAuthApplication, McpApplicationManager>())
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetJsonWebKeySetEndpointUris(".well-known/jwks");
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().RequireProofKeyForCodeExchange();
                server.SetAccessTokenLifetime(options.AccessTokenLifetime)
                    .SetRefreshTokenLifetime(options.RefreshTokenLifetime)
                    // A refresh token is good once: a second use, however soon, revokes its family and its grant. That is
                    // RefreshTokenRedemption's to decide: OpenIddict's own reuse check (which revokes only the tokens issued so
                    // far) is left out, every reuse passing its leeway to reach it.
                    .SetRefreshTokenReuseLeeway(options.RefreshTokenLifetime)
                    // Each refresh token of a sign-in expires when the first did: RefreshTokenLifetime after the user signed
                    // in at the upstream, who then signs in again (and the upstream decides again whether they may).
                    .DisableSlidingRefreshTokenExpiration();
                // The cached request lets the consent form post back a reference instead of every parameter.
                server.EnableAuthorizationRequestCaching();
                // The MCP resources validate access tokens themselves, as signed JWTs (at+jwt) against the published keys.
                server.DisableAccessTokenEncryption();
                // OpenIddict insists on an encryption key; none is used: access tokens are signed only, and codes, refresh
                // tokens and cached requests are sealed with Data Protection (the key ring in Redis) instead.
                server.AddEphemeralEncryptionKey();
                server.UseDataProtection().PreferDefaultAccessTokenFormat();
                // Scopes are decided per request (AuthorizeEndpoint): the resource's own, offline_access, and the configured ones.
                server.DisableScopeValidation().IgnoreScopePermissions().IgnoreResourcePermissions();
                server.RegisterScopes([Scopes.OfflineAccess, .. options.Scopes]);
                if (options.Resources.Count > 0)
                {
                    server.RegisterResources([.. options.Resources]);
                }

                if (Uri.TryCreate(options.Issuer, UriKind.Absolute, out var issuer))
                {
                    server.SetIssuer(issuer);
                }

                server.Configure(server =>
                {
                    server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
                    // Advertised for public clients (the MCP clients): "none" first, which the C# SDK's client takes when a registration does not say.
                    server.ClientAuthenticationMethods.Clear();
                    server.ClientAuthenticationMethods.UnionWith([ClientAuthenticationMethods.None, ClientAuthenticationMethods.ClientSecretBasic, ClientAuthenticationMethods.ClientSecretPost]);
                });
                var aspNetCore = server.UseAspNetCore().EnableAuthorizationEndpointPassthrough();
                if (!requireHttps)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }

                server.AddEventHandler(ClientResolution.Descriptor)
                    .AddEventHandler(GrantedResourceCheck.Descriptor)
                    .AddEventHandler(RefreshTokenRedemption.Descriptor)
                    .AddEventHandler(RegistrationMetadata.Descriptor)
                    .AddEventHandler(RegistrationKeepAlive.Descriptor);
            });

        if (options.Users.Count == 0 && Uri.TryCreate(options.Upstream.Authority, UriKind.Absolute, out var authority))
        {
            openIddict.AddClient(client =>
            {
                client.AllowAuthorizationCodeFlow();
                // As for the server: state tokens are sealed with Data Protection, so these keys are never used.
                client.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                client.UseDataProtection();
                client.UseSystemNetHttp();
                var aspNetCore = client.UseAspNetCore().EnableRedirectionEndpointPassthrough().EnableErrorPassthrough();
                if (!requireHttps)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                    // Over plain http a SameSite=None cookie must be Secure and is dropped: the state cookie is Lax instead,
                    // which the upstream's answer (a top-level GET, response mode query) still carries.
                    aspNetCore.Configure(client =>
                    {
                        client.CookieBuilder.SameSite = SameSiteMode.Lax;
                        client.CookieBuilder.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                    });
                }

                var registration = new OpenIddictClientRegistration
                {
                    Issuer = authority,
                    ProviderName = UpstreamSignIn.ProviderName,
                    ProviderDisplayName = options.Upstream.DisplayName,
                    ClientId = options.Upstream.ClientId,
                    ClientSecret = options.Upstream.ClientSecret,
                    RedirectUri = new Uri(UpstreamSignIn.CallbackPath, UriKind.Relative),
                };
                foreach (var scope in options.Upstream.Scopes.Count > 0 ? [.. options.Upstream.Scopes] : new[] { Scopes.OpenId, Scopes.Profile, Scopes.Email })
                {
                    registration.Scopes.Add(scope);
                }

                client.AddRegistration(registration);
            });
        }

        return builder;
    }

    /// <summary>The pipeline: forwarded headers from known proxies, Redis outages as 503, CORS for the endpoints clients call from browsers, then the endpoints.</summary>
    public static WebApplication MapMcpAspireAuthServer(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<AuthServerOptions>>().Value;
        app.UseForwardedHeaders();
        app.UseMiddleware<StateOutageMiddleware>();
        app.UseWhen(IsCalledFromBrowsers, branch => branch.UseCors(PublicCorsPolicy));
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        AuthorizeEndpoint.Map(app);
        if (options.DynamicRegistration.Enabled)
        {
            RegistrationEndpoint.Map(app);
        }

        if (options.Users.Count > 0)
        {
            DevelopmentSignIn.Map(app);
        }
        else
        {
            UpstreamSignIn.Map(app);
        }

        return app;
    }

    /// <summary>Metadata, keys, token, registration and revocation: what a browser-based MCP client fetches (no cookies are involved).</summary>
    private static bool IsCalledFromBrowsers(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/.well-known", StringComparison.Ordinal) ||
        context.Request.Path.StartsWithSegments("/connect/token", StringComparison.Ordinal) ||
        context.Request.Path.StartsWithSegments("/connect/revoke", StringComparison.Ordinal) ||
        context.Request.Path.StartsWithSegments(RegistrationEndpoint.Path, StringComparison.Ordinal);

    private static void AddRegistrationRateLimit(IServiceCollection services, AuthServerOptions options) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = "3600";
                await OAuthError.Json("too_many_requests",
                        $"This address has registered {options.DynamicRegistration.PerClientAddressPerHour} clients this hour; try again later or reuse a registration.",
                        StatusCodes.Status429TooManyRequests)
                    .ExecuteAsync(rejected.HttpContext);
            };
            limiter.AddPolicy(RegistrationEndpoint.RateLimitPolicy, context =>
            {
                var prefix = context.RequestServices.GetRequiredService<IOptions<McpAspireStateOptions>>().Value.KeyPrefix;
                var address = RegistrationEndpoint.PartitionOf(context.Connection.RemoteIpAddress);
                return RateLimitPartition.Get($"{prefix}:oauth-registration:{address}", partition => new RedisFixedWindowRateLimiter(
                    context.RequestServices.GetRequiredService<IConnectionMultiplexer>(), partition,
                    options.DynamicRegistration.PerClientAddressPerHour, TimeSpan.FromHours(1), TimeProvider.System));
            });
        });
}
