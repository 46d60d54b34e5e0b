namespace Tether.Server.Hubs;

/// <summary>
/// The caller's state of one hub call: the values the client sent (<c>S</c>), changed by the hub, and the changes sent
/// back with the result. Keys are case-insensitive.
/// </summary>
public class StateChangeTracker
{
    private readonly IDictionary<string, object?> _values;
    private readonly Dictionary<string, object?> _oldValues = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates an empty state.</summary>
    public StateChangeTracker()
        : this(new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase))
    {
    }

    /// <summary>Creates a state over <paramref name="values"/>.</summary>
    /// <param name="values">The values the client sent.</param>
    public StateChangeTracker(IDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values;
    }

    /// <summary>A value; <see langword="null"/> when absent.</summary>
    /// <param name="key">The name.</param>
    public object? this[string key]
    {
        get => _values.TryGetValue(key, out object? value) ? value : null;
        set
        {
            if (!_oldValues.ContainsKey(key))
            {
                _values.TryGetValue(key, out object? old);
                _oldValues[key] = old;
            }

            _values[key] = value;
        }
    }

    /// <summary>The values that changed since the call began, or <see langword="null"/> when none did.</summary>
    /// <returns>The changes.</returns>
    public IDictionary<string, object?>? GetChanges()
    {
        Dictionary<string, object?>? changes = null;
        foreach (var (key, old) in _oldValues)
        {
            object? current = _values[key];
            if (!Equals(old, current))
            {
                changes ??= new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                changes[key] = current;
            }
        }

        return changes;
    }
}
