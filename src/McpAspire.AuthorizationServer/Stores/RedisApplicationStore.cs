using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using McpAspire.AuthorizationServer.Clients;
using OpenIddict.Abstractions;
using StackExchange.Redis;

namespace McpAspire.AuthorizationServer.Stores;

/// <summary>
/// Clients: those from configuration served from memory, those registered at run time (Dynamic Client Registration,
/// Client ID Metadata Documents) in Redis, each until its <see cref="OAuthApplication.ExpiresAt"/>. A client's id is its
/// client id. The queries OpenIddict's authorization code and refresh flows never make (listing, counting, LINQ) are
/// not offered.
/// </summary>
internal sealed class RedisApplicationStore(OAuthRedis redis, ConfiguredClients configured, TimeProvider time) : IOpenIddictApplicationStore<OAuthApplication>
{
    private RedisKey Key(string clientId) => redis.Key("client", OAuthRedis.Digest(clientId));

    public async ValueTask<OAuthApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken)
    {
        if (configured.Find(identifier) is { } application)
        {
            return application;
        }

        return await redis.GetAsync(Key(identifier), cancellationToken) is { } doc
            ? JsonSerializer.Deserialize(doc, StoreJsonContext.Default.OAuthApplication)
            : null;
    }

    public ValueTask<OAuthApplication?> FindByIdAsync(string identifier, CancellationToken cancellationToken) => FindByClientIdAsync(identifier, cancellationToken);

    public async ValueTask CreateAsync(OAuthApplication application, CancellationToken cancellationToken)
    {
        var clientId = application.ClientId ?? throw new ArgumentException("A client needs a client id.", nameof(application));
        if (configured.Find(clientId) is not null)
        {
            throw new OpenIddictExceptions.ConcurrencyException($"The client id '{clientId}' is registered by configuration.");
        }

        application.Id = clientId;
        application.ConcurrencyToken = OAuthRedis.NewVersion();
        await redis.SaveAsync(Key(clientId), clientId, Serialize(application), application.ConcurrencyToken, null, LifetimeOf(application), [], cancellationToken);
    }

    public async ValueTask UpdateAsync(OAuthApplication application, CancellationToken cancellationToken)
    {
        if (application.Source == ClientSources.Configuration)
        {
            throw new InvalidOperationException($"The client '{application.ClientId}' is registered by configuration; change it there.");
        }

        var expected = application.ConcurrencyToken;
        application.ConcurrencyToken = OAuthRedis.NewVersion();
        await redis.SaveAsync(Key(application.ClientId!), application.Id!, Serialize(application), application.ConcurrencyToken, expected ?? "", LifetimeOf(application), [], cancellationToken);
    }

    public async ValueTask DeleteAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        await redis.DeleteAsync(Key(application.ClientId!), application.Id!, [], cancellationToken);

    private TimeSpan? LifetimeOf(OAuthApplication application) =>
        application.ExpiresAt is { } expires ? TimeSpan.FromMilliseconds(Math.Max(1, (expires - time.GetUtcNow()).TotalMilliseconds)) : null;

    private static string Serialize(OAuthApplication application) => JsonSerializer.Serialize(application, StoreJsonContext.Default.OAuthApplication);

    public ValueTask<OAuthApplication> InstantiateAsync(CancellationToken cancellationToken) => new(new OAuthApplication());

    public ValueTask<string?> GetApplicationTypeAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.ApplicationType);

    public ValueTask<string?> GetClientIdAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.ClientId);

    public ValueTask<string?> GetClientSecretAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.ClientSecret);

    public ValueTask<string?> GetClientTypeAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.ClientType);

    public ValueTask<string?> GetConsentTypeAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.ConsentType);

    public ValueTask<string?> GetDisplayNameAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.DisplayName);

    public ValueTask<ImmutableDictionary<CultureInfo, string>> GetDisplayNamesAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        new(application.DisplayNames.ToImmutableDictionary(pair => CultureInfo.GetCultureInfo(pair.Key), pair => pair.Value));

    public ValueTask<string?> GetIdAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.Id);

    public ValueTask<JsonWebKeySet?> GetJsonWebKeySetAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        new(application.JsonWebKeySet is { } set ? JsonWebKeySet.Create(set) : null);

    public ValueTask<ImmutableArray<string>> GetPermissionsAsync(OAuthApplication application, CancellationToken cancellationToken) => new([.. application.Permissions]);

    public ValueTask<ImmutableArray<string>> GetPostLogoutRedirectUrisAsync(OAuthApplication application, CancellationToken cancellationToken) => new([.. application.PostLogoutRedirectUris]);

    public ValueTask<ImmutableDictionary<string, JsonElement>> GetPropertiesAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.Properties.ToImmutableDictionary());

    public ValueTask<ImmutableArray<string>> GetRedirectUrisAsync(OAuthApplication application, CancellationToken cancellationToken) => new([.. application.RedirectUris]);

    public ValueTask<ImmutableArray<string>> GetRequirementsAsync(OAuthApplication application, CancellationToken cancellationToken) => new([.. application.Requirements]);

    public ValueTask<ImmutableDictionary<string, string>> GetSettingsAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.Settings.ToImmutableDictionary());

    public ValueTask SetApplicationTypeAsync(OAuthApplication application, string? type, CancellationToken cancellationToken) => EntityFields.Set(() => application.ApplicationType = type);

    public ValueTask SetClientIdAsync(OAuthApplication application, string? identifier, CancellationToken cancellationToken) => EntityFields.Set(() => application.ClientId = identifier);

    public ValueTask SetClientSecretAsync(OAuthApplication application, string? secret, CancellationToken cancellationToken) => EntityFields.Set(() => application.ClientSecret = secret);

    public ValueTask SetClientTypeAsync(OAuthApplication application, string? type, CancellationToken cancellationToken) => EntityFields.Set(() => application.ClientType = type);

    public ValueTask SetConsentTypeAsync(OAuthApplication application, string? type, CancellationToken cancellationToken) => EntityFields.Set(() => application.ConsentType = type);

    public ValueTask SetDisplayNameAsync(OAuthApplication application, string? name, CancellationToken cancellationToken) => EntityFields.Set(() => application.DisplayName = name);

    public ValueTask SetDisplayNamesAsync(OAuthApplication application, ImmutableDictionary<CultureInfo, string> names, CancellationToken cancellationToken) =>
        EntityFields.Set(() => application.DisplayNames = names.ToDictionary(pair => pair.Key.Name, pair => pair.Value));

    public ValueTask SetJsonWebKeySetAsync(OAuthApplication application, JsonWebKeySet? set, CancellationToken cancellationToken) =>
        EntityFields.Set(() => application.JsonWebKeySet = set is null ? null : JsonSerializer.Serialize(set));

    public ValueTask SetPermissionsAsync(OAuthApplication application, ImmutableArray<string> permissions, CancellationToken cancellationToken) => EntityFields.Set(() => application.Permissions = [.. permissions]);

    public ValueTask SetPostLogoutRedirectUrisAsync(OAuthApplication application, ImmutableArray<string> uris, CancellationToken cancellationToken) => EntityFields.Set(() => application.PostLogoutRedirectUris = [.. uris]);

    public ValueTask SetPropertiesAsync(OAuthApplication application, ImmutableDictionary<string, JsonElement> properties, CancellationToken cancellationToken) =>
        EntityFields.Set(() => application.Properties = new Dictionary<string, JsonElement>(properties));

    public ValueTask SetRedirectUrisAsync(OAuthApplication application, ImmutableArray<string> uris, CancellationToken cancellationToken) => EntityFields.Set(() => application.RedirectUris = [.. uris]);

    public ValueTask SetRequirementsAsync(OAuthApplication application, ImmutableArray<string> requirements, CancellationToken cancellationToken) => EntityFields.Set(() => application.Requirements = [.. requirements]);

    public ValueTask SetSettingsAsync(OAuthApplication application, ImmutableDictionary<string, string> settings, CancellationToken cancellationToken) =>
        EntityFields.Set(() => application.Settings = new Dictionary<string, string>(settings));

    /// <summary>No end-session endpoint is offered, so no client is ever looked up by its post-logout redirect.</summary>
    public IAsyncEnumerable<OAuthApplication> FindByPostLogoutRedirectUriAsync(string uri, CancellationToken cancellationToken) => AsyncEnumerable.Empty<OAuthApplication>();

    public IAsyncEnumerable<OAuthApplication> FindByRedirectUriAsync(string uri, CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<long> CountAsync(CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<long> CountAsync<TResult>(Func<IQueryable<OAuthApplication>, IQueryable<TResult>> query, CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<TResult?> GetAsync<TState, TResult>(Func<IQueryable<OAuthApplication>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) => throw Unsupported();

    public IAsyncEnumerable<OAuthApplication> ListAsync(int? count, int? offset, CancellationToken cancellationToken) => throw Unsupported();

    public IAsyncEnumerable<TResult> ListAsync<TState, TResult>(Func<IQueryable<OAuthApplication>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) => throw Unsupported();

    private static NotSupportedException Unsupported([CallerMemberName] string operation = "") =>
        new($"{operation} is not offered by the Redis client store: it keeps clients by client id only.");
}
