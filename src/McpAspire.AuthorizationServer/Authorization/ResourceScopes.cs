using System.Collections.Concurrent;
using System.Text.Json;

namespace McpAspire.AuthorizationServer.Authorization;

/// <summary>
/// A resource's scopes, as the resource itself lists them in its protected-resource metadata (RFC 9728,
/// <c>scopes_supported</c>): the hosts' tool scopes stay defined in one place. Read when first needed and kept for
/// <see cref="CacheTime"/>; a resource that cannot be read grants none of its scopes until it can.
/// </summary>
internal sealed partial class ResourceScopes(IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<ResourceScopes> logger)
{
    public static readonly TimeSpan CacheTime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, IReadOnlySet<string> Scopes)> _cache = new(StringComparer.Ordinal);

    public async Task<IReadOnlySet<string>> OfAsync(string resource, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(resource, out var cached) && cached.Until > now)
        {
            return cached.Scopes;
        }

        var uri = new Uri(resource);
        var metadata = new Uri(uri, "/.well-known/oauth-protected-resource" + uri.AbsolutePath.TrimEnd('/'));
        try
        {
            using var client = httpClientFactory.CreateClient(nameof(ResourceScopes));
            using var response = await client.GetAsync(metadata, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Log.Unreadable(logger, resource, $"{metadata} answered {(int)response.StatusCode}");
                return new HashSet<string>();
            }

            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            HashSet<string> scopes = document.RootElement.TryGetProperty("scopes_supported", out var supported) && supported.ValueKind == JsonValueKind.Array
                ? [.. supported.EnumerateArray().Where(scope => scope.ValueKind == JsonValueKind.String).Select(scope => scope.GetString()!)]
                : [];
            _cache[resource] = (now + CacheTime, scopes);
            return scopes;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.Unreadable(logger, resource, ex.Message);
            return new HashSet<string>();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The scopes of the resource {Resource} could not be read, so none of them is granted for now: {Reason}")]
        public static partial void Unreadable(ILogger logger, string resource, string reason);
    }
}
