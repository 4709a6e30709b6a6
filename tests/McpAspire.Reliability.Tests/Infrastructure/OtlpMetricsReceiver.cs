using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using McpAspire.Testing;

namespace McpAspire.Reliability.Tests.Infrastructure;

/// <summary>
/// An OTLP/HTTP endpoint in the test process that keeps the metrics the hosts export: for each metric name, the
/// points received in order. It reads the protobuf wire format of <c>ExportMetricsServiceRequest</c> with
/// Google.Protobuf's reader, only as far as names and number values (gauges and sums); everything else is skipped.
/// </summary>
internal sealed class OtlpMetricsReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly int _port = LoopbackPort.Free();

    public OtlpMetricsReceiver()
    {
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>Metric name → every value exported for it (all points of all exports, summed across attributes per export).</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<double>> Values { get; } = new();

    /// <summary>What a host needs to export its metrics here, twice a second.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{_port}",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
    };

    public double? Last(string metric) => Values.TryGetValue(metric, out var values) && !values.IsEmpty ? values.Last() : null;

    private async Task AcceptAsync()
    {
        try
        {
            while (_listener.IsListening)
            {
                var context = await _listener.GetContextAsync();
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                if (context.Request.Url?.AbsolutePath == "/v1/metrics")
                {
                    Read(body.ToArray());
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

    // Field numbers from opentelemetry/proto/collector/metrics/v1 and metrics/v1 (metrics.proto).
    private void Read(byte[] request)
    {
        foreach (var resourceMetrics in Fields(request, 1))
        {
            foreach (var scopeMetrics in Fields(resourceMetrics, 2))
            {
                foreach (var metric in Fields(scopeMetrics, 2))
                {
                    var name = Fields(metric, 1).Select(b => System.Text.Encoding.UTF8.GetString(b)).FirstOrDefault();
                    var points = Fields(metric, 5).Concat(Fields(metric, 7)).SelectMany(data => Fields(data, 1)).ToList();
                    if (name is not null && points.Count > 0)
                    {
                        Values.GetOrAdd(name, _ => new ConcurrentQueue<double>()).Enqueue(points.Sum(PointValue));
                    }
                }
            }
        }
    }

    /// <summary>A NumberDataPoint's value: as_double (4, fixed64) or as_int (6, sfixed64).</summary>
    private static double PointValue(byte[] point)
    {
        var input = new CodedInputStream(point);
        double value = 0;
        while (input.ReadTag() is var tag and not 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 4:
                    value = input.ReadDouble();
                    break;
                case 6:
                    value = input.ReadSFixed64();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return value;
    }

    /// <summary>The length-delimited fields numbered <paramref name="number"/> of a message.</summary>
    private static List<byte[]> Fields(byte[] message, int number)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        while (input.ReadTag() is var tag and not 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }

    public void Dispose() => _listener.Close();
}
