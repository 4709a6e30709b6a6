using System.Net;

namespace McpAspire.Testing;

/// <summary>An OTLP/HTTP endpoint in this process that accepts every export and counts them: telemetry on, nothing kept.</summary>
public sealed class OtlpSink : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, int> _exports = [];
    private readonly int _port = LoopbackPort.Free();

    public OtlpSink()
    {
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>What a host needs to export traces, metrics and logs here.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{_port}",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };

    /// <summary>Export requests received so far.</summary>
    public int Exports
    {
        get
        {
            lock (_exports)
            {
                return _exports.Values.Sum();
            }
        }
    }

    /// <summary>Export requests received so far, per OTLP path.</summary>
    public string Summary()
    {
        lock (_exports)
        {
            return string.Join(", ", _exports.Select(e => $"{e.Key} {e.Value}"));
        }
    }

    public void Dispose() => _listener.Close();

    private async Task AcceptAsync()
    {
        try
        {
            while (_listener.IsListening)
            {
                var context = await _listener.GetContextAsync();
                await context.Request.InputStream.CopyToAsync(Stream.Null);
                lock (_exports)
                {
                    var path = context.Request.Url?.AbsolutePath ?? "?";
                    _exports[path] = _exports.GetValueOrDefault(path) + 1;
                }

                // An empty body is an empty Export*ServiceResponse: everything accepted.
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped.
        }
    }
}
