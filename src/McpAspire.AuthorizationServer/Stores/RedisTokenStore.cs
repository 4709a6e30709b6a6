using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using OpenIddict.Abstractions;
using StackExchange.Redis;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpAspire.AuthorizationServer.Stores;

/// <summary>
/// Token records in Redis until their expiry, found by id, by reference id (codes and cached requests) and by
/// authorization (the family a reused code or refresh token revokes). Each keeps its authorization alive at least as
/// long as itself.
/// </summary>
internal sealed class RedisTokenStore(OAuthRedis redis, TimeProvider time) : IOpenIddictTokenStore<OAuthToken>
{
    /// <summary>How long a record without an expiry is kept.</summary>
    private static readonly TimeSpan Unbounded = TimeSpan.FromDays(1);

    private RedisKey Key(string id) => redis.Key("token", id);

    private RedisKey ReferenceKey(string referenceId) => redis.Key("token-reference", OAuthRedis.Digest(referenceId));

    private RedisKey FamilySet(string authorizationId) => redis.Key("authorization-tokens", authorizationId);

    private List<(RedisKey, char)> Related(OAuthToken token)
    {
        List<(RedisKey, char)> related = [];
        if (token.ReferenceId is { Length: > 0 } reference)
        {
            related.Add((ReferenceKey(reference), OAuthRedis.Pointer));
        }

        if (token.AuthorizationId is { Length: > 0 } authorization)
        {
            related.Add((FamilySet(authorization), OAuthRedis.Member));
            related.Add((redis.Key("authorization", authorization), OAuthRedis.Outlive));
        }

        return related;
    }

    private TimeSpan LifetimeOf(OAuthToken token) =>
        token.ExpirationDate is { } expires ? TimeSpan.FromMilliseconds(Math.Max(1_000, (expires - time.GetUtcNow()).TotalMilliseconds)) : Unbounded;

    public async ValueTask CreateAsync(OAuthToken token, CancellationToken cancellationToken)
    {
        token.Id ??= Guid.NewGuid().ToString("N");
        token.ConcurrencyToken = OAuthRedis.NewVersion();
        await redis.SaveAsync(Key(token.Id), token.Id, Serialize(token), token.ConcurrencyToken, null, LifetimeOf(token), Related(token), cancellationToken);
    }

    public async ValueTask UpdateAsync(OAuthToken token, CancellationToken cancellationToken)
    {
        var expected = token.ConcurrencyToken ?? "";
        token.ConcurrencyToken = OAuthRedis.NewVersion();
        await redis.SaveAsync(Key(token.Id!), token.Id!, Serialize(token), token.ConcurrencyToken, expected, LifetimeOf(token), Related(token), cancellationToken);
    }

    public async ValueTask DeleteAsync(OAuthToken token, CancellationToken cancellationToken) =>
        await redis.DeleteAsync(Key(token.Id!), token.Id!, Related(token), cancellationToken);

    public async ValueTask<OAuthToken?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        await redis.GetAsync(Key(identifier), cancellationToken) is { } doc ? Deserialize(doc) : null;

    public async ValueTask<OAuthToken?> FindByReferenceIdAsync(string identifier, CancellationToken cancellationToken) =>
        await redis.GetPointerAsync(ReferenceKey(identifier), cancellationToken) is { } id ? await FindByIdAsync(id, cancellationToken) : null;

    public async IAsyncEnumerable<OAuthToken> FindByAuthorizationIdAsync(string identifier, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var doc in await redis.GetMembersAsync(FamilySet(identifier), Key, cancellationToken))
        {
            yield return Deserialize(doc);
        }
    }

    /// <summary>Revokes every token of the family; a token changed meanwhile is read again and revoked.</summary>
    public async ValueTask<long> RevokeByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken)
    {
        long revoked = 0;
        await foreach (var member in FindByAuthorizationIdAsync(identifier, cancellationToken))
        {
            var token = member;
            for (var attempt = 0; token is not null && token.Status != Statuses.Revoked; attempt++)
            {
                token.Status = Statuses.Revoked;
                try
                {
                    await UpdateAsync(token, cancellationToken);
                    revoked++;
                    break;
                }
                catch (OpenIddictExceptions.ConcurrencyException) when (attempt < 3)
                {
                    token = await FindByIdAsync(member.Id!, cancellationToken);
                }
            }
        }

        return revoked;
    }

    /// <summary>Expired tokens leave Redis by their TTL.</summary>
    public ValueTask<long> PruneAsync(DateTimeOffset threshold, CancellationToken cancellationToken) => new(0L);

    private static string Serialize(OAuthToken token) => JsonSerializer.Serialize(token, StoreJsonContext.Default.OAuthToken);

    private static OAuthToken Deserialize(string doc) => JsonSerializer.Deserialize(doc, StoreJsonContext.Default.OAuthToken)!;

    public ValueTask<OAuthToken> InstantiateAsync(CancellationToken cancellationToken) => new(new OAuthToken());

    public ValueTask<string?> GetApplicationIdAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.ApplicationId);

    public ValueTask<string?> GetAuthorizationIdAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.AuthorizationId);

    public ValueTask<DateTimeOffset?> GetCreationDateAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.CreationDate);

    public ValueTask<DateTimeOffset?> GetExpirationDateAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.ExpirationDate);

    public ValueTask<string?> GetIdAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Id);

    public ValueTask<string?> GetPayloadAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Payload);

    public ValueTask<ImmutableDictionary<string, JsonElement>> GetPropertiesAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Properties.ToImmutableDictionary());

    public ValueTask<DateTimeOffset?> GetRedemptionDateAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.RedemptionDate);

    public ValueTask<string?> GetReferenceIdAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.ReferenceId);

    public ValueTask<string?> GetStatusAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Status);

    public ValueTask<string?> GetSubjectAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Subject);

    public ValueTask<string?> GetTypeAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Type);

    public ValueTask SetApplicationIdAsync(OAuthToken token, string? identifier, CancellationToken cancellationToken) => EntityFields.Set(() => token.ApplicationId = identifier);

    public ValueTask SetAuthorizationIdAsync(OAuthToken token, string? identifier, CancellationToken cancellationToken) => EntityFields.Set(() => token.AuthorizationId = identifier);

    public ValueTask SetCreationDateAsync(OAuthToken token, DateTimeOffset? date, CancellationToken cancellationToken) => EntityFields.Set(() => token.CreationDate = date);

    public ValueTask SetExpirationDateAsync(OAuthToken token, DateTimeOffset? date, CancellationToken cancellationToken) => EntityFields.Set(() => token.ExpirationDate = date);

    public ValueTask SetPayloadAsync(OAuthToken token, string? payload, CancellationToken cancellationToken) => EntityFields.Set(() => token.Payload = payload);

    public ValueTask SetPropertiesAsync(OAuthToken token, ImmutableDictionary<string, JsonElement> properties, CancellationToken cancellationToken) =>
        EntityFields.Set(() => token.Properties = new Dictionary<string, JsonElement>(properties));

    public ValueTask SetRedemptionDateAsync(OAuthToken token, DateTimeOffset? date, CancellationToken cancellationToken) => EntityFields.Set(() => token.RedemptionDate = date);

    public ValueTask SetReferenceIdAsync(OAuthToken token, string? identifier, CancellationToken cancellationToken) => EntityFields.Set(() => token.ReferenceId = identifier);

    public ValueTask SetStatusAsync(OAuthToken token, string? status, CancellationToken cancellationToken) => EntityFields.Set(() => token.Status = status);

    public ValueTask SetSubjectAsync(OAuthToken token, string? subject, CancellationToken cancellationToken) => EntityFields.Set(() => token.Subject = subject);

    public ValueTask SetTypeAsync(OAuthToken token, string? type, CancellationToken cancellationToken) => EntityFields.Set(() => token.Type = type);

    public IAsyncEnumerable<OAuthToken> FindAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken) => throw Unsupported();

    public IAsyncEnumerable<OAuthToken> FindByApplicationIdAsync(string identifier, CancellationToken cancellationToken) => throw Unsupported();

    public IAsyncEnumerable<OAuthToken> FindBySubjectAsync(string subject, CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<long> RevokeByApplicationIdAsync(string identifier, CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<long> RevokeBySubjectAsync(string subject, CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<long> CountAsync(CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<long> CountAsync<TResult>(Func<IQueryable<OAuthToken>, IQueryable<TResult>> query, CancellationToken cancellationToken) => throw Unsupported();

    public ValueTask<TResult?> GetAsync<TState, TResult>(Func<IQueryable<OAuthToken>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) => throw Unsupported();

    public IAsyncEnumerable<OAuthToken> ListAsync(int? count, int? offset, CancellationToken cancellationToken) => throw Unsupported();

    public IAsyncEnumerable<TResult> ListAsync<TState, TResult>(Func<IQueryable<OAuthToken>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) => throw Unsupported();

    private static NotSupportedException Unsupported([CallerMemberName] string operation = "") =>
        new($"{operation} is not offered by the Redis token store: it finds tokens by id, reference id and authorization only.");
}
