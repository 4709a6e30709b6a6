using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using McpAspire.AuthorizationServer.Stores;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace McpAspire.AuthorizationServer.Clients;

/// <summary>
/// Clients whose <c>client_id</c> is the https URL of their metadata document (Client ID Metadata Documents, MCP
/// 2025-11-25). The document is fetched from public addresses only (every address its host resolves to is checked when
/// connecting, so a name cannot be re-pointed between the check and the fetch), with no redirects, within
/// <see cref="ClientMetadataDocumentOptions.Timeout"/> and <see cref="ClientMetadataDocumentOptions.MaxBytes"/>; it must
/// name itself as <c>client_id</c>, list its redirect URIs (matched exactly, as any client's) and be a public client. It is
/// kept as the client's registration for its <c>Cache-Control: max-age</c> (within the configured bounds) and fetched
/// again after. Concurrent requests for one document share one fetch.
/// </summary>
internal sealed partial class ClientMetadataDocuments : IDisposable
{
    private readonly IOpenIddictApplicationStore<OAuthApplication> _store;
    private readonly TimeProvider _time;
    private readonly ClientMetadataDocumentOptions _options;
    private readonly bool _allowLoopbackHttp;
    private readonly HttpClient _http;
    private readonly X509Certificate2? _trustedCa;
    private readonly ILogger<ClientMetadataDocuments> _logger;
    private readonly ConcurrentDictionary<string, Task<string?>> _fetching = new(StringComparer.Ordinal);

    public ClientMetadataDocuments(IOpenIddictApplicationStore<OAuthApplication> store, TimeProvider time, IOptions<AuthServerOptions> options,
        IHostEnvironment environment, ILogger<ClientMetadataDocuments> logger)
    {
        _store = store;
        _time = time;
        _options = options.Value.ClientMetadataDocuments;
        _allowLoopbackHttp = _options.AllowLoopbackHttp ?? environment.IsDevelopment();
        _logger = logger;
        var allowLoopback = _allowLoopbackHttp;
        _trustedCa = _options.TrustedCaCertificatePath is { Length: > 0 } path ? X509CertificateLoader.LoadCertificateFromFile(path) : null;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // Straight to the address checked: a proxy would be the one checked instead.
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = ValidateCertificate,
                // No fetching of issuers a certificate names: those requests would go around the address check.
                CertificateChainPolicy = new X509ChainPolicy { DisableCertificateDownloads = true },
            },
            UseCookies = false,
            ConnectTimeout = _options.Timeout,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowLoopback, cancellationToken),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("McpAspire-AuthServer/1.0");
    }

    public bool Enabled => _options.Enabled;

    /// <summary>Whether <paramref name="clientId"/> names a document rather than a registration.</summary>
    public static bool IsDocumentUrl(string clientId) =>
        clientId.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || clientId.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Makes sure the client <paramref name="clientId"/> names is registered from a current copy of its document; null when it is, else why not.</summary>
    public async Task<string?> EnsureRegisteredAsync(string clientId, CancellationToken cancellationToken)
    {
        if (await _store.FindByClientIdAsync(clientId, cancellationToken) is { Source: ClientSources.MetadataDocument, ExpiresAt: { } expires } && expires > _time.GetUtcNow())
        {
            return null;
        }

        return await _fetching.GetOrAdd(clientId, StartFetch).WaitAsync(cancellationToken);
    }

    /// <summary>A fetch that leaves the table when it ends, whoever waits on it.</summary>
    private Task<string?> StartFetch(string clientId)
    {
        var fetch = FetchAndRegisterAsync(clientId);
        _ = fetch.ContinueWith(done => _fetching.TryRemove(new KeyValuePair<string, Task<string?>>(clientId, done)), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return fetch;
    }

    private async Task<string?> FetchAndRegisterAsync(string clientId)
    {
        await Task.Yield(); // the table holds this task before it runs
        if (UrlProblem(clientId) is { } problem)
        {
            return problem;
        }

        using var timeout = new CancellationTokenSource(_options.Timeout);
        string text;
        TimeSpan? maxAge;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, clientId);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return $"answered {(int)response.StatusCode} instead of 200 (redirects are not followed)";
            }

            if (response.Content.Headers.ContentLength > _options.MaxBytes)
            {
                return $"is larger than {_options.MaxBytes} bytes";
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[_options.MaxBytes + 1];
            var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, timeout.Token);
            if (read > _options.MaxBytes)
            {
                return $"is larger than {_options.MaxBytes} bytes";
            }

            text = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
            maxAge = response.Headers.CacheControl is { NoStore: false, NoCache: false, MaxAge: { } age } ? age : null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return $"was not fetched within {_options.Timeout.TotalSeconds:0.#} s";
        }
        catch (HttpRequestException ex)
        {
            // The detail (what the name resolved to, why a connection failed) is logged, not told: it would map this
            // server's network for whoever names a host.
            Log.FetchFailed(_logger, clientId, ex.InnerException?.Message ?? ex.Message);
            return ex.InnerException is NonPublicAddressException
                ? "is on a host that does not resolve to public addresses only"
                : "could not be fetched (the connection or TLS failed)";
        }

        var (application, documentProblem) = Parse(clientId, text);
        if (application is null)
        {
            return documentProblem;
        }

        var lifetime = maxAge is { } age2 ? Clamp(age2) : _options.MinCacheTime;
        application.ExpiresAt = _time.GetUtcNow() + lifetime;
        try
        {
            if (await _store.FindByClientIdAsync(clientId, CancellationToken.None) is { } existing)
            {
                application.ConcurrencyToken = existing.ConcurrencyToken;
                await _store.UpdateAsync(application, CancellationToken.None);
            }
            else
            {
                await _store.CreateAsync(application, CancellationToken.None);
            }
        }
        catch (OpenIddictExceptions.ConcurrencyException)
        {
            // Another replica registered the same document at the same moment: it is registered.
        }

        Log.Registered(_logger, clientId, lifetime);
        return null;
    }

    private string? UrlProblem(string clientId)
    {
        if (!Uri.TryCreate(clientId, UriKind.Absolute, out var url))
        {
            return "is not an absolute URL";
        }

        if (url.Scheme != Uri.UriSchemeHttps && !(_allowLoopbackHttp && url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
        {
            return _allowLoopbackHttp ? "must use https (http only on loopback, in Development)" : "must use https";
        }

        var path = clientId.Split('?', '#')[0][(url.Scheme.Length + 3)..];
        var segments = path.Split('/').Skip(1).ToArray();
        return url.UserInfo.Length > 0 ? "must not carry user information"
            : clientId.Contains('#', StringComparison.Ordinal) ? "must not have a fragment"
            : url.AbsolutePath is "" or "/" ? "must have a path"
            : segments.Any(segment => segment is "." or "..") ? "must not have '.' or '..' path segments"
            : null;
    }

    private static (OAuthApplication? Application, string? Problem) Parse(string clientId, string text)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, "is not JSON");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, "is not a JSON object");
        }

        if (!root.TryGetProperty("client_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() != clientId)
        {
            return (null, "does not name its own URL as its client_id");
        }

        if (root.TryGetProperty("client_secret", out _) || root.TryGetProperty("client_secret_expires_at", out _))
        {
            return (null, "contains a client secret, which a published document must not");
        }

        if (root.TryGetProperty("token_endpoint_auth_method", out var method) && !(method.ValueKind == JsonValueKind.String && method.GetString() == "none"))
        {
            return (null, $"asks for token_endpoint_auth_method {method.GetRawText()}, and only public clients ('none', with PKCE) are accepted");
        }

        if (!root.TryGetProperty("redirect_uris", out var redirects) || redirects.ValueKind != JsonValueKind.Array || redirects.GetArrayLength() == 0 ||
            redirects.EnumerateArray().Any(uri => uri.ValueKind != JsonValueKind.String))
        {
            return (null, "has no redirect_uris array of strings");
        }

        List<string> redirectUris = [.. redirects.EnumerateArray().Select(uri => uri.GetString()!)];
        if (redirectUris.Select(RedirectUris.Problem).FirstOrDefault(problem => problem is not null) is { } redirectProblem)
        {
            return (null, $"lists a redirect URI that is not accepted: {redirectProblem}");
        }

        var name = root.TryGetProperty("client_name", out var clientName) && clientName.ValueKind == JsonValueKind.String ? clientName.GetString() : null;
        var application = ClientPermissions.Public(clientId, name ?? new Uri(clientId).Host, redirectUris, ClientSources.MetadataDocument);
        return (application, null);
    }

    private TimeSpan Clamp(TimeSpan age) =>
        age < _options.MinCacheTime ? _options.MinCacheTime : age > _options.MaxCacheTime ? _options.MaxCacheTime : age;

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowLoopback, CancellationToken cancellationToken)
    {
        IPAddress[] addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        if (addresses.Length == 0 || addresses.Any(address => !PublicAddress.IsPublic(address) && !(allowLoopback && IPAddress.IsLoopback(address))))
        {
            throw new NonPublicAddressException($"'{endpoint.Host}' resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}, not public addresses only");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Trusted by the system, or issued for the right name by the configured private authority.</summary>
    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (_trustedCa is null || errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_trustedCa);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.DisableCertificateDownloads = true;
        custom.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")); // server authentication
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainElements.Select(element => element.Certificate).ToArray());
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(presented);
    }

    public void Dispose()
    {
        _http.Dispose();
        _trustedCa?.Dispose();
    }

    private sealed class NonPublicAddressException(string message) : IOException(message);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Registered the client {ClientId} from its metadata document, for {Lifetime}.")]
        public static partial void Registered(ILogger logger, string clientId, TimeSpan lifetime);

        [LoggerMessage(2, LogLevel.Information, "The client metadata document {ClientId} could not be fetched: {Reason}")]
        public static partial void FetchFailed(ILogger logger, string clientId, string reason);
    }
}
