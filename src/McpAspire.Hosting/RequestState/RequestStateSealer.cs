using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using McpAspire.State;
using McpAspire.State.Resilience;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using StackExchange.Redis;

namespace McpAspire.Hosting.RequestState;

/// <summary>
/// Seals a handler's <c>requestState</c> before it goes to the client and opens it when it comes back, on any replica.
/// A sealed state is encrypted and authenticated with ASP.NET Core Data Protection, whose key ring every replica shares
/// (in Redis under the deployment's prefix, see <c>AddMcpAspireState</c>): the client can neither read nor forge it. It
/// is bound to a principal, a request (method, tool or prompt, argument digest) and an expiry, and it is accepted once:
/// opening it sets a marker in Redis (<c>SET NX</c>, kept until the expiry) before the handler runs, so a replayed state
/// is refused on whatever replica it lands. Without Redis the marker is kept in this process.
/// </summary>
internal sealed class RequestStateSealer
{
    /// <summary>A sealed state longer than this is refused before any decryption is attempted.</summary>
    public const int MaxSealedLength = 16 * 1024;

    private readonly IDataProtector _protector;
    private readonly IConnectionMultiplexer? _redis;
    private readonly RedisResilience _resilience;
    private readonly StateKeys _keys;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly ConcurrentDictionary<string, long> _usedLocally = new(StringComparer.Ordinal);

    public RequestStateSealer(IDataProtectionProvider dataProtection, IConnectionMultiplexer? redis, RedisResilience resilience, StateKeys keys,
        TimeProvider time, IOptions<McpAspireStateOptions> options)
    {
        _protector = dataProtection.CreateProtector("McpAspire.RequestState.v1");
        _redis = redis;
        _resilience = resilience;
        _keys = keys;
        _time = time;
        _lifetime = options.Value.RequestStateLifetime;
    }

    /// <summary>Seals <paramref name="state"/> (null too: the seal is what binds the next round) for <paramref name="binding"/>.</summary>
    public string Seal(string? state, RequestStateBinding binding)
    {
        var payload = new SealedRequestState(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            binding.Principal,
            binding.Method,
            binding.Name,
            binding.ArgumentsDigest,
            (_time.GetUtcNow() + _lifetime).ToUnixTimeMilliseconds(),
            state);
        try
        {
            return _protector.Protect(JsonSerializer.Serialize(payload, StateJsonContext.Default.SealedRequestState));
        }
        catch (Exception ex) when (ex is not CryptographicException && RedisResilience.IsStoreFailure(ex))
        {
            // The key ring lives in Redis: a replica that has not read it yet cannot seal while Redis is away.
            throw Unavailable(ex);
        }
    }

    /// <summary>
    /// Opens a sealed state for <paramref name="binding"/> and spends it, returning the handler's own state. Throws a
    /// JSON-RPC error (<see cref="McpErrorCode.InvalidParams"/>, with the reason in its data) for a state that is
    /// malformed, forged, altered, expired, already used or bound to another caller or request; and
    /// <see cref="McpAspireErrorCodes.StateUnavailable"/> when Redis cannot record its use: then nothing ran, and the same
    /// state may be sent again.
    /// </summary>
    public async ValueTask<string?> OpenAsync(string sealedState, RequestStateBinding binding, CancellationToken cancellationToken)
    {
        if (sealedState.Length > MaxSealedLength)
        {
            throw Refused(RequestStateRefusal.TooLarge, $"requestState is too large ({sealedState.Length} characters; a state this server issued has at most {MaxSealedLength}).");
        }

        SealedRequestState? payload;
        try
        {
            payload = JsonSerializer.Deserialize(_protector.Unprotect(sealedState), StateJsonContext.Default.SealedRequestState);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or JsonException)
        {
            payload = null;
        }
        catch (Exception ex) when (RedisResilience.IsStoreFailure(ex))
        {
            throw Unavailable(ex);
        }

        if (payload is null)
        {
            throw Refused(RequestStateRefusal.Invalid, "requestState is not valid: this server did not issue it, or it was altered. Send the request again without it.");
        }

        if (!string.Equals(payload.Principal, binding.Principal, StringComparison.Ordinal))
        {
            throw Refused(RequestStateRefusal.OtherPrincipal, "requestState was issued to another caller. Send the request again without it.");
        }

        if (!string.Equals(payload.Method, binding.Method, StringComparison.Ordinal) || !string.Equals(payload.Name, binding.Name, StringComparison.Ordinal))
        {
            throw Refused(RequestStateRefusal.OtherRequest, $"requestState was issued for another request ({payload.Method} '{payload.Name}'), not this {binding.Method} '{binding.Name}'.");
        }

        if (!string.Equals(payload.ArgumentsDigest, binding.ArgumentsDigest, StringComparison.Ordinal))
        {
            throw Refused(RequestStateRefusal.OtherArguments, "requestState was issued for other arguments: send the same arguments as the first round, or start again without it.");
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now >= payload.ExpiresAt)
        {
            throw Refused(RequestStateRefusal.Expired, "requestState has expired. Send the request again without it.");
        }

        if (!await MarkUsedAsync(payload.Id, payload.ExpiresAt - now, cancellationToken))
        {
            throw Refused(RequestStateRefusal.AlreadyUsed, "requestState was already used: each one is accepted once. Send the request again without it.");
        }

        return payload.State;
    }

    /// <summary>Records the state's use; false when it was recorded before. One Redis round trip, the only one a round costs.</summary>
    private async ValueTask<bool> MarkUsedAsync(string id, long remainingMilliseconds, CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var (usedId, expiresAt) in _usedLocally)
            {
                if (expiresAt <= now)
                {
                    _usedLocally.TryRemove(usedId, out _);
                }
            }

            return _usedLocally.TryAdd(id, now + remainingMilliseconds);
        }

        try
        {
            return await _resilience.WriteAsync("Accepting the request state",
                async _ => await _redis.GetDatabase().StringSetAsync(_keys.RequestStateUsed(id), 1, TimeSpan.FromMilliseconds(remainingMilliseconds), When.NotExists),
                cancellationToken);
        }
        catch (StateUnavailableException ex)
        {
            throw Unavailable(ex);
        }
    }

    private static McpProtocolException Refused(string reason, string message)
    {
        var error = new McpProtocolException(message, McpErrorCode.InvalidParams);
        error.Data["reason"] = reason;
        return error;
    }

    private static McpProtocolException Unavailable(Exception inner)
    {
        var error = new McpProtocolException(
            "The request state could not be checked: the shared state store (Redis) is unreachable. Nothing ran; send the same request again shortly.",
            inner, McpAspireErrorCodes.StateUnavailable);
        error.Data["retryable"] = true;
        return error;
    }
}
