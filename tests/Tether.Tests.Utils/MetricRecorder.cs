using System.Diagnostics.Metrics;

namespace Tether.Tests.Utils;

/// <summary>One measurement: the instrument's name, the value and its tags.</summary>
public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    /// <summary>Whether every given tag has the given value.</summary>
    public bool Has(params (string Key, object? Value)[] tags) => tags.All(t => Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value));
}

/// <summary>
/// Records the measurements of the instruments a filter selects (e.g. those of one server's meter) with a
/// <see cref="MeterListener"/>, and lets a test await a condition on them without sleeping.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<Measurement> _measurements = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts listening to the instruments <paramref name="select"/> accepts.</summary>
    public MetricRecorder(Func<Instrument, bool> select)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (select(instrument))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    /// <summary>Every measurement so far of one instrument.</summary>
    public IReadOnlyList<Measurement> Of(string instrument)
    {
        lock (_lock)
        {
            return _measurements.Where(m => m.Instrument == instrument).ToArray();
        }
    }

    /// <summary>The sum of one instrument's measurements that carry the given tags.</summary>
    public double Sum(string instrument, params (string Key, object? Value)[] tags) =>
        Of(instrument).Where(m => m.Has(tags)).Sum(m => m.Value);

    /// <summary>Reads the observable instruments (gauges) now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>The latest value an observable instrument reported when last observed.</summary>
    public double Latest(string instrument)
    {
        Observe();
        return Of(instrument)[^1].Value;
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the measurements (bounded by the default timeout).</summary>
    public async Task WaitUntilAsync(Func<MetricRecorder, bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TaskExtensions.DefaultTimeoutSpan);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("Timed out waiting for " + what + ".");
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        TaskCompletionSource changed;
        lock (_lock)
        {
            _measurements.Add(new Measurement(instrument.Name, value, copy));
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
