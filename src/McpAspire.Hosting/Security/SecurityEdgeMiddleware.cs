using System.Net;
using McpAspire.Hosting.Http;
using McpAspire.Hosting.Telemetry;
using McpAspire.State;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;

namespace McpAspire.Hosting.Security;

/// <summary>
/// The checks a request passes before any authentication work, cheapest first: the per-client request rate, HTTPS,
/// the client network allow-list, the <c>Origin</c> (DNS rebinding), and the body size. Health probes
/// (<c>/health</c>, <c>/alive</c>) come from the platform over plain HTTP and skip the HTTPS and network checks, and so
/// does the host's own warm-up (<see cref="WarmUp.Credential.IsSelfCall"/>), which skips the per-client rate too.
/// </summary>
internal sealed partial class SecurityEdgeMiddleware
{
    private readonly RequestDelegate _next;
    private readonly McpSecurityOptions _options;
    private readonly OriginPolicy _origins;
    private readonly IServer _server;
    private readonly McpHostMetrics _metrics;
    private readonly ILogger<SecurityEdgeMiddleware> _logger;
    private readonly IPNetwork[] _networks;
    private readonly bool _requireHttps;
    private readonly ClientRequestLimiter _perClient;
    private readonly WarmUp.Credential? _warmUp;


    public SecurityEdgeMiddleware(
        RequestDelegate next,
        IOptions<McpSecurityOptions> options,
        OriginPolicy origins,
        ClientRequestLimiter perClient,
        IServer server,
        IHostEnvironment environment,
        McpHostMetrics metrics,
        ILogger<SecurityEdgeMiddleware> logger,
        WarmUp.Credential? warmUp = null)
    {
        _next = next;
        _options = options.Value;
        _origins = origins;
        _server = server;
        _metrics = metrics;
        _logger = logger;
        _networks = _options.AllowedNetworks.Select(n => McpSecurityOptionsValidator.ParseNetwork(n)!.Value).ToArray();
        _requireHttps = _options.RequireHttps ?? !environment.IsDevelopment();
        _perClient = perClient;
        _warmUp = warmUp;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var client = ClientAddress.Of(context) ?? IPAddress.None;
        // The platform's probes, and the host calling itself before it says it is ready (WarmUp), come over plain HTTP
        // from where no allow-list names; the host's own calls spend no client's request budget either (loopback is a
        // client address too: a sidecar proxy's).
        var isSelf = _warmUp?.IsSelfCall(context) == true;
        var isProbe = isSelf || request.Path.Equals(McpHttpPaths.Health, StringComparison.Ordinal) || request.Path.Equals(McpHttpPaths.Alive, StringComparison.Ordinal);
        if (!isSelf && !_perClient.TryAcquire(client))
        {
            context.Response.Headers.RetryAfter = "1";
            return RefuseAsync(context, "client_rate", StatusCodes.Status429TooManyRequests, McpAspireErrorCodes.RateLimited,
                $"Too many requests from this client: more than {_options.RequestsPerClientPerSecond} per second. Retry after 1 s.");
        }

        if (_requireHttps && !request.IsHttps && !isProbe)
        {
            return RefusePlainHttpAsync(context);
        }

        if (_networks.Length > 0 && !isProbe && !_networks.Any(network => network.Contains(client)))
        {
            LogNetworkRefused(client);
            return RefuseAsync(context, "network", StatusCodes.Status403Forbidden, McpAspireErrorCodes.Forbidden,
                "Forbidden: this client's network is not allowed to call this server.");
        }

        if (request.Headers.Origin.ToString() is { Length: > 0 } origin && !_origins.IsAllowed(origin))
        {
            return RefuseAsync(context, "origin", StatusCodes.Status403Forbidden, McpAspireErrorCodes.Forbidden,
                "Forbidden: requests from this Origin are not allowed (add it to McpAspire:Security:AllowedOrigins).");
        }

        if (request.ContentLength > _options.MaxRequestBytes)
        {
            return RefuseAsync(context, "body_size", StatusCodes.Status413PayloadTooLarge, McpErrorCode.InvalidRequest,
                $"Request body too large: the limit is {_options.MaxRequestBytes} bytes.");
        }

        // A body sent without a length (chunked) is cut off by the server at the same limit, as 413.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = _options.MaxRequestBytes;
        }

        if (_requireHttps)
        {
            context.Response.Headers.StrictTransportSecurity = "max-age=31536000";
        }

        return _next(context);
    }

    /// <summary>Plain HTTP outside Development: a GET is sent to the HTTPS endpoint; anything else is refused, since a client would re-send its body in clear.</summary>
    private Task RefusePlainHttpAsync(HttpContext context)
    {
        var request = context.Request;
        if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && HttpsPort() is { } port)
        {
            context.Features.GetRequiredFeature<AccessLogEntry>().Refusal = "plain_http";
            context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            context.Response.Headers.Location = UriHelper.BuildAbsolute(Uri.UriSchemeHttps, new HostString(request.Host.Host, port), request.PathBase, request.Path, request.QueryString);
            return Task.CompletedTask;
        }

        return RefuseAsync(context, "plain_http", StatusCodes.Status403Forbidden, McpAspireErrorCodes.Forbidden,
            "HTTPS required: this server does not accept requests over plain HTTP. Send it to the https:// address.");
    }

    private int? HttpsPort() =>
        _server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(address => BindingAddress.Parse(address))
            .FirstOrDefault(address => address.Scheme == Uri.UriSchemeHttps)?.Port;

    private Task RefuseAsync(HttpContext context, string reason, int status, McpErrorCode code, string message)
    {
        context.Features.GetRequiredFeature<AccessLogEntry>().Refusal = reason;
        _metrics.Refused(reason);
        return JsonRpcErrors.WriteAsync(context, status, code, message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a request from {Client}: not in McpAspire:Security:AllowedNetworks")]
    private partial void LogNetworkRefused(IPAddress client);
}
