using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using McpAspire.State;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace McpAspire.AuthorizationServer.Keys;

/// <summary>
/// The signing keys every replica shares, in Redis (a hash: key number → key id, certificate and private key, the key sealed with
/// Data Protection). Each key is a self-signed certificate whose validity is its schedule: it is published from creation,
/// signs from <c>NotBefore</c> until its successor's <c>NotBefore</c> (<see cref="SigningKeyOptions.Lifetime"/> later), and is
/// published until <c>NotAfter</c>, long enough after that for every token it signed to expire. OpenIddict signs with
/// the valid certificate whose <c>NotAfter</c> is latest: the newest that has started. A successor is created
/// <see cref="SigningKeyOptions.PublishAhead"/> before it starts, by whichever replica gets there first: keys are
/// numbered, and the hash field of a number is set only if absent, so replicas racing (at the first start too) create
/// one key of each number between them. Every replica picks a new key up within
/// <see cref="SigningKeyOptions.RefreshInterval"/>. Keys survive restarts; the ring never goes empty while Redis keeps its data.
/// </summary>
internal sealed partial class SigningKeyRing : IDisposable
{
    private readonly SharedRedis _redis;
    private readonly IDataProtector _protector;
    private readonly TimeProvider _time;
    private readonly AuthServerOptions _options;
    private readonly ILogger<SigningKeyRing> _logger;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private CancellationTokenSource _changed = new();
    private IReadOnlyList<SigningKey> _keys = [];
    private readonly Dictionary<string, SigningKey?> _opened = new(StringComparer.Ordinal);
    private string _fingerprint = "";

    public SigningKeyRing(SharedRedis redis, IDataProtectionProvider dataProtection, TimeProvider time, IOptions<AuthServerOptions> options, ILogger<SigningKeyRing> logger)
    {
        _redis = redis;
        _protector = dataProtection.CreateProtector("McpAspire.AuthorizationServer.SigningKeys");
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    private RedisKey RingKey => _redis.Key("oauth:signing-keys", "oauth");

    /// <summary>
    /// How long after a key stops signing its tokens may still be presented: the longest lifetime of a token it signs
    /// (access tokens, a configured client's, ID tokens' 20 minutes), plus clock skew.
    /// </summary>
    private TimeSpan Retention =>
        _options.Clients.Values.Select(client => client.AccessTokenLifetime ?? TimeSpan.Zero)
            .Append(_options.AccessTokenLifetime).Append(TimeSpan.FromMinutes(20)).Max() + TimeSpan.FromMinutes(5);

    /// <summary>How far back the first key starts, so a replica whose clock is a little behind has a key that has started.</summary>
    private static readonly TimeSpan FirstKeyBackdate = TimeSpan.FromMinutes(5);

    /// <summary>The keys to publish and sign with, once loaded; empty before.</summary>
    public IReadOnlyList<SigningKey> Keys => Volatile.Read(ref _keys);

    public bool IsLoaded => Keys.Count > 0;

    /// <summary>Fires when the published keys or the signing key change.</summary>
    public IChangeToken ChangeToken => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    /// <summary>Reads the ring, creates a successor when one is due, and signals a change when what is published or signs has changed.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            var stored = await ReadAsync(cancellationToken);
            // A key that cannot be unsealed is as good as gone: it neither signs nor counts as the newest.
            var newest = stored.Where(entry => Open(entry) is not null).OrderByDescending(entry => entry.Generation).FirstOrDefault();
            if (newest is null || newest.NotBefore + _options.SigningKeys.Lifetime - _options.SigningKeys.PublishAhead <= now)
            {
                // The first key signs at once; a successor starts when its predecessor's lifetime ends (or now, if that is past).
                var start = newest is null ? now : Max(newest.NotBefore + _options.SigningKeys.Lifetime, now);
                await CreateAsync(stored.Select(entry => entry.Generation).DefaultIfEmpty(0).Max() + 1, start, cancellationToken);
                stored = await ReadAsync(cancellationToken);
            }

            var live = stored.Where(entry => entry.NotAfter > now).ToList();
            foreach (var expired in stored.Except(live))
            {
                await _redis.WriteAsync("Retiring a signing key", db => db.HashDeleteAsync(RingKey, expired.Generation), cancellationToken);
                _opened.Remove(expired.KeyId);
            }

            live.RemoveAll(entry => Open(entry) is null);
            var signing = live.Where(entry => entry.NotBefore <= now).OrderByDescending(entry => entry.NotAfter).FirstOrDefault()?.KeyId;
            var fingerprint = $"{signing}|{string.Join(',', live.Select(entry => entry.KeyId).Order(StringComparer.Ordinal))}";
            if (fingerprint == _fingerprint)
            {
                return;
            }

            Volatile.Write(ref _keys, [.. live.Select(entry => Open(entry)!)]);
            _fingerprint = fingerprint;
            Log.KeysChanged(_logger, signing ?? "none", live.Count);
            var changed = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
            await changed.CancelAsync();
            changed.Dispose();
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task<List<StoredKey>> ReadAsync(CancellationToken cancellationToken)
    {
        var entries = await _redis.ReadAsync("Reading the signing keys", db => db.HashGetAllAsync(RingKey), cancellationToken);
        return [.. entries.Select(entry => JsonSerializer.Deserialize(entry.Value.ToString(), KeysJsonContext.Default.StoredKey)!)];
    }

    private async Task CreateAsync(int generation, DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        // The first key's certificate starts a little earlier than its schedule, so a replica whose clock is a little
        // behind has a key that has started; a successor's starts exactly when it is to sign.
        var validFrom = generation == 1 ? notBefore - FirstKeyBackdate : notBefore;
        var notAfter = notBefore + _options.SigningKeys.Lifetime + Retention;
        // The key id is new every time (a ring lost with its Redis never hands a resource a known kid with another key).
        var keyId = $"mcpaspire-{generation}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=McpAspire authorization server signing key {keyId}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        using var certificate = request.CreateSelfSigned(validFrom, notAfter);
        var stored = new StoredKey(generation, keyId, notBefore, notAfter, Convert.ToBase64String(_protector.Protect(certificate.Export(X509ContentType.Pkcs12))));
        var created = await _redis.WriteAsync("Creating a signing key", async db =>
        {
            var set = await db.HashSetAsync(RingKey, generation, JsonSerializer.Serialize(stored, KeysJsonContext.Default.StoredKey), When.NotExists);
            // The newest key is published longest: the ring lives a day past it.
            await db.KeyExpireAsync(RingKey, notAfter.UtcDateTime + TimeSpan.FromDays(1));
            return set;
        }, cancellationToken);
        if (created)
        {
            Log.KeyCreated(_logger, keyId, notBefore, notAfter);
        }
    }

    /// <summary>The stored key, opened once; null (logged once) if it cannot be unsealed: the Data Protection keys that sealed it are gone.</summary>
    private SigningKey? Open(StoredKey key)
    {
        if (_opened.TryGetValue(key.KeyId, out var opened))
        {
            return opened;
        }

        try
        {
            opened = new SigningKey(key.KeyId, X509CertificateLoader.LoadPkcs12(_protector.Unprotect(Convert.FromBase64String(key.Certificate)), null, X509KeyStorageFlags.EphemeralKeySet));
        }
        catch (CryptographicException ex)
        {
            Log.Unreadable(_logger, key.KeyId, ex.Message);
        }

        return _opened[key.KeyId] = opened;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    public void Dispose()
    {
        _changed.Dispose();
        _refreshing.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Created signing key {KeyId}: it signs from {NotBefore:u} and is published until {NotAfter:u}.")]
        public static partial void KeyCreated(ILogger logger, string keyId, DateTimeOffset notBefore, DateTimeOffset notAfter);

        [LoggerMessage(2, LogLevel.Information, "Signing with key {KeyId}; {Count} keys published.")]
        public static partial void KeysChanged(ILogger logger, string keyId, int count);

        [LoggerMessage(3, LogLevel.Warning, "The signing key {KeyId} cannot be unsealed and is left out ({Reason}); a new key is created when none is left.")]
        public static partial void Unreadable(ILogger logger, string keyId, string reason);
    }
}
