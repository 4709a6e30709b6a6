using System.Diagnostics.Metrics;

namespace McpAspire.Hosting.Tests;

/// <summary>
/// Listens to instruments of the <c>McpAspire</c> meter, keyed <c>name</c> or <c>name:{tag value}</c>: an int gauge keeps
/// its last value, a long counter sums what it was given.
/// </summary>
internal sealed class McpAspireMeterListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _values = [];
    private readonly string _tag;

    public McpAspireMeterListener(string tag, params string[] instruments)
    {
        _tag = tag;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "McpAspire" && instruments.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags, sum: false));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags, sum: true));
        _listener.Start();
    }

    /// <summary>What the counters have summed so far.</summary>
    public Dictionary<string, long> Read()
    {
        lock (_values)
        {
            return new Dictionary<string, long>(_values);
        }
    }

    /// <summary>Asks the gauges for their values now.</summary>
    public Dictionary<string, long> Observe()
    {
        lock (_values)
        {
            _values.Clear();
            _listener.RecordObservableInstruments();
            return new Dictionary<string, long>(_values);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, bool sum)
    {
        string? tagValue = null;
        foreach (var tag in tags)
        {
            if (tag.Key == _tag)
            {
                tagValue = tag.Value as string;
            }
        }

        var key = tagValue is null ? instrument.Name : $"{instrument.Name}:{tagValue}";
        lock (_values)
        {
            _values[key] = sum ? _values.GetValueOrDefault(key) + value : value;
        }
    }
}
