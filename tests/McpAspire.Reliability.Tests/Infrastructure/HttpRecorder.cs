using System.Collections.Concurrent;
using System.Net;

namespace McpAspire.Reliability.Tests.Infrastructure;

/// <summary>
/// The HTTP side of a load: spreads requests over replicas in turn, as a load balancer with no affinity does, and
/// records every status code, and the one a call ended with (<see cref="Call"/>).
/// </summary>
internal sealed class HttpRecorder : DelegatingHandler
{
    private static readonly AsyncLocal<CallRecord?> CurrentCall = new();
    private readonly List<Uri> _replicas;
    private int _next;

    public HttpRecorder(IEnumerable<Uri> replicas) : base(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        _replicas = [.. replicas];
    }

    public ConcurrentDictionary<int, int> Statuses { get; } = new();

    /// <summary>Refusals other than the rate limiter's, with what the server said (the body is buffered for the client).</summary>
    public ConcurrentQueue<string> ClientErrors { get; } = new();

    /// <summary>Server errors.</summary>
    public ConcurrentQueue<string> ServerErrors { get; } = new();

    /// <summary>Takes a replica out of the rotation, as a load balancer's health check would once it died.</summary>
    public void Remove(Uri replica)
    {
        lock (_replicas)
        {
            _replicas.RemoveAll(r => r.Authority == replica.Authority);
        }
    }

    public void Add(Uri replica)
    {
        lock (_replicas)
        {
            _replicas.Add(replica);
        }
    }

    /// <summary>Starts recording the status of the HTTP requests made by one call; read it back from the record.</summary>
    public static CallRecord Call() => CurrentCall.Value = new CallRecord();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A GET /sse stream stays where it is opened; everything else goes to the next replica.
        Uri target;
        lock (_replicas)
        {
            target = _replicas[_next++ % _replicas.Count];
        }

        request.RequestUri = new UriBuilder(request.RequestUri!) { Host = target.Host, Port = target.Port }.Uri;
        if (CurrentCall.Value is { } started)
        {
            started.LastRequest = $"{request.Method} {request.RequestUri.Authority}{request.RequestUri.AbsolutePath}";
        }

        var response = await base.SendAsync(request, cancellationToken);
        Statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
        if (CurrentCall.Value is { } call)
        {
            call.Status = response.StatusCode;
        }

        if ((int)response.StatusCode >= 500)
        {
            var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync(cancellationToken);
            ServerErrors.Enqueue($"{request.Method} {request.RequestUri?.AbsolutePath} {(int)response.StatusCode} {body}");
        }
        else if ((int)response.StatusCode >= 400 && response.StatusCode != HttpStatusCode.TooManyRequests && response.Content is not null)
        {
            ClientErrors.Enqueue($"{request.Method} {request.RequestUri?.AbsolutePath} {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return response;
    }

    internal sealed class CallRecord
    {
        public HttpStatusCode? Status { get; set; }

        /// <summary>The call's last HTTP request, for a failure's story.</summary>
        public string? LastRequest { get; set; }
    }
}
