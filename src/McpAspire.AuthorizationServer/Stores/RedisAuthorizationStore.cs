using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using StackExchange.Redis;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpAspire.AuthorizationServer.Stores;

/// <summary>
/// Authorizations in Redis, found by id, and consents by subject too. A permanent one (a user's consent to a client) lives for
/// <see cref="AuthServerOptions.ConsentLifetime"/>; an ad-hoc one (one sign-in's family of tokens) as long as its tokens,
/// which extend it as they are issued (<see cref="RedisTokenStore"/>).
/// </summary>
internal sealed class RedisAuthorizationStore(OAuthRedis redis, IOptions<AuthServerOptions> options) : IOpenIddictAuthorizationStore<OAuthAuthorization>
{
    /// <summary>An ad-hoc authorization's life before its first token extends it.</summary>
    private static readonly TimeSpan AdHocStart = TimeSpan.FromHours(1);

    public RedisKey Key(string id) => redis.Key("authorization", id);

    private RedisKey SubjectSet(string subject) => redis.Key("subject-authorizations", OAuthRedis.Digest(subject));

    /// <summary>
    /// Only permanent authorizations (consents) are found by subject: the one lookup by subject is the consent check, and
    /// every sign-in's ad-hoc authorization would otherwise pile up in the user's set.
    /// </summary>
    private (RedisKey, char)[] Related(OAuthAuthorization authorization) =>
        authorization is { Subject: { } subject, Type: AuthorizationTypes.Permanent } ? [(SubjectSet(subject), OAuthRedis.Member)] : [];

    public async ValueTask CreateAsync(OAuthAuthorization authorization, CancellationToken cancellationToken)
    {
        authorization.Id ??= Guid.NewGuid().ToString("N");
        authorization.ConcurrencyToken = OAuthRedis.NewVersion();
        var lifetime = authorization.Type == AuthorizationTypes.Permanent ? options.Value.ConsentLifetime : AdHocStart;
        await redis.SaveAsync(Key(authorization.Id), authorization.Id, Serialize(authorization), authorization.ConcurrencyToken, null, lifetime, Related(authorization), cancellationToken);
    }

    public async ValueTask UpdateAsync(OAuthAuthorization authorization, CancellationToken cancellationToken)
    {
        var expected = authorization.ConcurrencyToken ?? "";
        authorization.ConcurrencyToken = OAuthRedis.NewVersion();
        await redis.SaveAsync(Key(authorization.Id!), authorization.Id!, Serialize(authorization), authorization.ConcurrencyToken, expected, null, Related(authorization), cancellationToken);
    }

    public async ValueTask DeleteAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) =>
        await redis.DeleteAsync(Key(authorization.Id!), authorization.Id!, Related(authorization), cancellationToken);

    public async ValueTask<OAuthAuthorization?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        await redis.GetAsync(Key(identifier), cancellationToken) is { } doc ? Deserialize(doc) : null;

    public async IAsyncEnumerable<OAuthAuthorization> FindBySubjectAsync(string subject, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var doc in await redis.GetMembersAsync(SubjectSet(subject), Key, cancellationToken))
        {
            yield return Deserialize(doc);
        }
    }

    public async IAsyncEnumerable<OAuthAuthorization> FindAsync(string? subject, string? client, string? status, string? type, ImmutableArray<string>? scopes,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (subject is null)
        {
            throw new NotSupportedException("The Redis authorization store finds authorizations by subject only.");
        }

        await foreach (var authorization in FindBySubjectAsync(subject, cancellationToken))
        {
            if ((client is null || authorization.ApplicationId == client) &&
                (status is null || authorization.Status == status) &&
                (type is null || authorization.Type == type) &&
                (scopes is null || scopes.Value.All(authorization.Scopes.Contains)))
            {
                yield return authorization;
            }
        }
    }

    public async ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken)
    {
        long revoked = 0;
        await foreach (var authorization in FindAsync(subject, client, status, type, null, cancellationToken))
        {
            if (authorization.Status != Statuses.Revoked)
            {
                authorization.Status = Statuses.Revoked;
                await UpdateAsync(authorization, cancellationToken);
                revoked++;
            }
        }

        return revoked;
    }

    public ValueTask<long> RevokeBySubjectAsync(string subject, CancellationToken cancellationToken) => RevokeAsync(subject, null, null, null, cancellationToken);

    /// <summary>Expired authorizations leave Redis by their TTL.</summary>
    public ValueTask<long> PruneAsync(DateTimeOffset threshold, CancellationToken cancellationToken) => new(0L);

    private static string Serialize(OAuthAuthorization authorization) => JsonSerializer.Serialize(authorization, StoreJsonContext.Default.OAuthAuthorization);

    private static OAuthAuthorization Deserialize(string doc) => JsonSerializer.Deserialize(doc, StoreJsonContext.Default.OAuthAuthorization)!;

    public ValueTask<OAuthAuthorization> InstantiateAsync(CancellationToken cancellationToken) => new(new OAuthAuthorization());

    public ValueTask<string?> GetApplicationIdAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.ApplicationId);

    public ValueTask<DateTimeOffset?> GetCreationDateAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.CreationDate);

    public ValueTask<string?> GetIdAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.Id);

    public ValueTask<ImmutableDictionary<string, JsonElement>> GetPropertiesAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.Properties.ToImmutableDictionary());

    public ValueTask<ImmutableArray<string>> GetScopesAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new([.. authorization.Scopes]);

    public ValueTask<string?> GetStatusAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.Status);

    public ValueTask<string?> GetSubjectAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.Subject);

    public ValueTask<string?> GetTypeAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.Type);

    public ValueTask SetApplicationIdAsync(OAuthAuthorization authorization, string? identifier, CancellationToken cancellationToken) => EntityFields.Set(() => authorization.ApplicationId = identifier);

    public ValueTask SetCreationDateAsync(OAuthAuthorization authorization, DateTimeOffset? date, CancellationToken cancellationToken) => EntityFields.Set(() => authorization.CreationDate = date);

    public ValueTask SetPropertiesAsync(OAuthAuthorization authorization, ImmutableDictionary<string, JsonElement> properties, CancellationToken cancellationToken) =>
        EntityFields.Set(() => authorization.Properties = new Dictionary<string, JsonElement>(properties));

    public ValueTask SetScopesAsync(OAuthAuthorization authorization, ImmutableArray<string> scopes, CancellationToken cancellationToken) => EntityFields.Set(() => authorization.Scopes = [.. scopes]);

    public ValueTask SetStatusAsync(OAuthAuthorization authorization, string? status, CancellationToken cancellationToken) => EntityFields.Set(() => authorization.Status = status);

    public ValueTask SetSubjectAsync(OAuthAuthorization authorization, string? subject, CancellationToken cancellationToken) => EntityFields.Set(() => authorization.Subject = subject);

    public ValueTask SetTypeAsync(OAuthAuthorization authorization, string? type, CancellationToken cancellationToken) => EntityFields.Set(() => authorization.Type = type);

    public IAsyncEnumerable<OAuthAuthorization> FindByApplicationIdAsync(string identifier, CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<long> RevokeByApplicationIdAsync(string identifier, CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<long> CountAsync(CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<long> CountAsync<TResult>(Func<IQueryable<OAuthAuthorization>, IQueryable<TResult>> query, CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<TResult?> GetAsync<TState, TResult>(Func<IQueryable<OAuthAuthorization>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) => throw Unsupported();

    public IAsyncEnumerable<OAuthAuthorization> ListAsync(int? count, int? offset, CancellationToken cancellationToken) => throw Unsupported();

    public IAsyncEnumerable<TResult> ListAsync<TState, TResult>(Func<IQueryable<OAuthAuthorization>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) => throw Unsupported();

    private static NotSupportedException Unsupported([CallerMemberName] string operation = "") =>
        new($"{operation} is not offered by the Redis authorization store: it finds authorizations by id and by subject only.");
}
