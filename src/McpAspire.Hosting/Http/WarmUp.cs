using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using McpAspire.Hosting.RateLimiting;
using McpAspire.Hosting.RequestState;
using McpAspire.Hosting.Security;
using McpAspire.Hosting.Validation;
using McpAspire.State;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Http;

/// <summary>
/// Ready means warm: once the host listens it loads what its first call would otherwise load on a user's time (the
/// Redis connection, the Data Protection key ring) and calls itself through the whole pipeline (Kestrel, the edge,
/// authentication, the SDK, the tool call path) with requests that change nothing: <c>initialize</c>, <c>ping</c>,
/// <c>tools/list</c>, a <c>tools/call</c> of a tool that does not exist, and on a stateless host the same at the
/// sessionless wire. It calls over loopback plain HTTP, where the host listens on it (behind a TLS-terminating ingress,
/// as on Container Apps); a host serving HTTPS only warms its state only. Until that is done <c>/health</c> answers 503
/// "Unhealthy" without running its checks (no health-check log line); <c>/alive</c> is not held. The self-calls
/// authenticate with a key made at start-up that never leaves the process and is revoked when the warm-up ends. Over a
/// loopback connection with that key the edge lets them through over plain HTTP and past the network allow-list, as it
/// does the platform's probes (a deployment listens on plain HTTP behind its ingress and requires HTTPS of everyone
/// else), without spending the loopback client's request budget; they carry a host name the host filter allows. Every
/// other check applies. A warm-up that fails or takes
/// longer than <see cref="Limit"/> still ends, and readiness is then the checks' to say.
/// </summary>
internal sealed partial class WarmUp(
    IServiceProvider services,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<HostFilteringOptions> hostFiltering,
    WarmUp.Credential credential,
    ILogger<WarmUp> logger) : BackgroundService
{
    /// <summary>The principal the self-calls run as, in the access log.</summary>
    public const string Principal = "mcpaspire:warm-up";

    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private const string NoSuchTool = "mcpaspire-warm-up-no-such-tool";

    private volatile bool _done;

    /// <summary>Holds <c>/health</c> at 503 until the warm-up has ended.</summary>
    public Task GateAsync(HttpContext context, RequestDelegate next)
    {
        if (_done || !context.Request.Path.Equals(McpHttpPaths.Health, StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain";
        context.Response.Headers.CacheControl = "no-store, no-cache";
        return context.Response.WriteAsync("Unhealthy", context.RequestAborted);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WaitForStartAsync(stoppingToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            limit.CancelAfter(Limit);
            var clock = Stopwatch.StartNew();
            await WarmStateAsync(limit.Token);
            await CallSelfAsync(limit.Token);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            LogWarm(logger, elapsed);
        }
        catch (Exception ex)
        {
            // Stopping before the warm-up ended (its own calls then fail or are cancelled) is no news.
            if (!stoppingToken.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                LogPartial(logger, ex);
            }
        }
        finally
        {
            credential.Revoke();
            _done = true;
        }
    }

    private async Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The Redis connection (a round trip), the shared limiter's script, the key ring (read, or created) and the
    /// request-state sealer's keys, and every tool's compiled input schema: what a first call would otherwise load.
    /// </summary>
    private async Task WarmStateAsync(CancellationToken cancellationToken)
    {
        foreach (var tool in services.GetService<IOptions<McpServerOptions>>()?.Value.ToolCollection ?? [])
        {
            ToolArgumentValidator.Prepare(tool);
        }

        if (McpStateServices.Redis(services) is { } redis)
        {
            await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);
        }

        // The shared limiter's script and its code path, on a partition of the warm-up's own that no client shares.
        if (services.GetService<McpRateLimiter>() is { Enabled: true } limiter)
        {
            await limiter.AcquireAsync(Principal, NoSuchTool, cancellationToken);
        }

        // The key ring, through the request-state sealer's own protector: a state sealed and opened (spent) as the warm-up's.
        if (services.GetService<RequestStateSealer>() is { } sealer)
        {
            var binding = new RequestStateBinding(Principal, "tools/call", NoSuchTool, "");
            await sealer.OpenAsync(sealer.Seal(null, binding), binding, cancellationToken);
        }
    }

    private async Task CallSelfAsync(CancellationToken cancellationToken)
    {
        if (Loopback() is not { } address)
        {
            return;
        }

        using var http = new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, credential.Key);
        http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        http.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");
        if (AllowedHost() is { } host)
        {
            http.DefaultRequestHeaders.Host = host;
        }

        // The 2025-11-25 wire: initialize opens a session on a stateful host, and the rest goes to it.
        var initialize = new JsonObject
        {
            ["protocolVersion"] = "2025-11-25",
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = ClientInfo(),
        };
        var session = await PostAsync(http, "initialize", initialize, session: null, sessionless: false, cancellationToken);
        await PostAsync(http, "notifications/initialized", null, session, sessionless: false, cancellationToken);
        await PostAsync(http, "ping", null, session, sessionless: false, cancellationToken);
        foreach (var (method, parameters) in ToolRequests(meta: null))
        {
            await PostAsync(http, method, parameters, session, sessionless: false, cancellationToken);
        }

        if (session is not null)
        {
            using var end = new HttpRequestMessage(HttpMethod.Delete, McpHttpPaths.Mcp);
            end.Headers.Add(McpHeaders.SessionId, session);
            using var ended = await http.SendAsync(end, cancellationToken);
            return;
        }

        // A stateless host serves the sessionless wire too: each request carries its revision and capabilities.
        await PostAsync(http, "server/discover", new JsonObject { ["_meta"] = Meta() }, session: null, sessionless: true, cancellationToken);
        foreach (var (method, parameters) in ToolRequests(Meta))
        {
            await PostAsync(http, method, parameters, session: null, sessionless: true, cancellationToken);
        }
    }

    /// <summary><c>tools/list</c>, and a <c>tools/call</c> of a tool that does not exist; each params with <c>_meta</c> from <paramref name="meta"/>, if given.</summary>
    private static (string Method, JsonObject Params)[] ToolRequests(Func<JsonObject>? meta)
    {
        JsonObject With(JsonObject parameters)
        {
            if (meta is not null)
            {
                parameters["_meta"] = meta();
            }

            return parameters;
        }

        return
        [
            ("tools/list", With(new JsonObject())),
            ("tools/call", With(new JsonObject { ["name"] = NoSuchTool, ["arguments"] = new JsonObject() })),
        ];
    }

    private static JsonObject ClientInfo() => new() { ["name"] = "mcpaspire-warm-up", ["version"] = "1" };

    private static JsonObject Meta() => new()
    {
        ["io.modelcontextprotocol/protocolVersion"] = McpHeaders.FirstSessionlessRevision,
        ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject(),
        ["io.modelcontextprotocol/clientInfo"] = ClientInfo(),
    };

    /// <summary>
    /// Posts one message (a notification when <paramref name="method"/> is one) and reads the whole answer; returns the
    /// session the answer names, if any.
    /// </summary>
    private static async Task<string?> PostAsync(HttpClient http, string method, JsonObject? parameters, string? session, bool sessionless, CancellationToken cancellationToken)
    {
        var message = new JsonObject { ["jsonrpc"] = "2.0" };
        if (!method.StartsWith("notifications/", StringComparison.Ordinal))
        {
            message["id"] = method;
        }

        message["method"] = method;
        if (parameters is not null)
        {
            message["params"] = parameters;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, McpHttpPaths.Mcp) { Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json") };
        if (session is not null)
        {
            request.Headers.Add(McpHeaders.SessionId, session);
            request.Headers.Add(McpHeaders.ProtocolVersion, "2025-11-25");
        }

        if (sessionless)
        {
            request.Headers.Add(McpHeaders.ProtocolVersion, McpHeaders.FirstSessionlessRevision);
            request.Headers.Add("Mcp-Method", method);
            if (parameters?["name"] is JsonValue name)
            {
                request.Headers.Add("Mcp-Name", name.GetValue<string>());
            }
        }

        using var response = await http.SendAsync(request, cancellationToken);
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.Headers.TryGetValues(McpHeaders.SessionId, out var ids) ? ids.FirstOrDefault() : session;
    }

    /// <summary>A plain HTTP address this host listens on, as a loopback URL; none when it serves HTTPS only.</summary>
    private Uri? Loopback()
    {
        var address = (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            .Select(a => Uri.TryCreate(a.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri : null)
            .FirstOrDefault(uri => uri?.Scheme == Uri.UriSchemeHttp);
        if (address is null)
        {
            return null;
        }

        var host = address.Host is "0.0.0.0" or "localhost" ? "127.0.0.1" : address.Host == "[::]" ? "[::1]" : address.Host;
        return new UriBuilder(Uri.UriSchemeHttp, host, address.Port).Uri;
    }

    /// <summary>
    /// A host name the host filter lets through, when loopback names would not be (a deployment's AllowedHosts names its
    /// public name): the first one named, or a name under the first wildcard; none when any host is allowed.
    /// </summary>
    private string? AllowedHost()
    {
        var allowed = hostFiltering.Value.AllowedHosts;
        if (allowed.Count == 0 || allowed.Contains("*") || allowed.Any(name => name is "localhost" or "127.0.0.1" or "[::1]"))
        {
            return null;
        }

        return allowed.FirstOrDefault(name => !name.StartsWith("*.", StringComparison.Ordinal))
            ?? "mcpaspire-warm-up" + allowed.First()[1..];
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Warmed up in {ElapsedMs:0} ms: ready")]
    private static partial void LogWarm(ILogger logger, double elapsedMs);

    private static void LogPartial(ILogger logger, Exception failure)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            var type = failure.GetType().Name;
            LogPartial(logger, type, failure.Message);
        }
    }

    // Information, without a stack: the host serves anyway; what stopped the warm-up (Redis away) is reported where it is.
    [LoggerMessage(Level = LogLevel.Information, SkipEnabledCheck = true,
        Message = "The warm-up did not finish ({Type}: {Reason}); ready anyway, and the first calls load what it did not")]
    private static partial void LogPartial(ILogger logger, string type, string reason);

    /// <summary>The warm-up's API key: random, in this process only, accepted until the warm-up ends.</summary>
    internal sealed class Credential
    {
        private readonly byte[] _hash;
        private volatile bool _revoked;

        public Credential()
        {
            Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            _hash = SHA256.HashData(Encoding.UTF8.GetBytes(Key));
        }

        public string Key { get; }

        /// <summary>Whether <paramref name="hash"/> (a presented key's SHA-256) is this key's, while it is valid; constant time.</summary>
        public bool Matches(ReadOnlySpan<byte> hash) => !_revoked & CryptographicOperations.FixedTimeEquals(hash, _hash);

        /// <summary>
        /// Whether <paramref name="context"/> is the host calling itself: from a loopback connection (the connection's
        /// own address, which only a trusted proxy's headers could change), with this key, while it is valid.
        /// </summary>
        public bool IsSelfCall(HttpContext context)
        {
            if (_revoked || context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote)
                || context.Request.Headers[ApiKeyAuthenticationHandler.HeaderName].ToString() is not { Length: > 0 } key)
            {
                return false;
            }

            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
            return Matches(hash);
        }

        public void Revoke() => _revoked = true;
    }
}
