using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Tether.Server.Internal;

namespace Tether.Server.Diagnostics;

/// <summary>
/// The connections counted in <c>tether.server.connections.current</c>, each with the transport it was counted under,
/// so it leaves the count under the same tags however it ends. One entry per connection this node holds.
/// </summary>
internal sealed class OpenConnections(UpDownCounter<long> current)
{
    private readonly ConcurrentDictionary<ConnectionKey, string> _transports = new();

    /// <summary>Whether a connection is counted.</summary>
    public bool Counts(ConnectionKey key) => _transports.ContainsKey(key);

    /// <summary>Counts a connection; <see langword="false"/> when it was already counted.</summary>
    public bool Add(ConnectionKey key, string transport)
    {
        if (!_transports.TryAdd(key, transport))
        {
            return false;
        }

        current.Add(1, new(TetherTags.Transport, transport), new(TetherTags.ConnectionType, key.TypeName));
        return true;
    }

    /// <summary>Stops counting a connection; its transport, or <see langword="null"/> when it was not counted.</summary>
    public string? Remove(ConnectionKey key)
    {
        if (!_transports.TryRemove(key, out string? transport))
        {
            return null;
        }

        current.Add(-1, new(TetherTags.Transport, transport), new(TetherTags.ConnectionType, key.TypeName));
        return transport;
    }
}
