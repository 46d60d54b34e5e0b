namespace Tether.Server.Internal.Transports;

/// <summary>The transports a mapped connection type serves, looked up by name.</summary>
internal sealed class ServerTransports
{
    private readonly IServerTransport[] _enabled;

    public ServerTransports(PersistentConnectionTransports enabled)
    {
        IServerTransport[] all = [WebSocketTransport.Instance, ServerSentEventsTransport.Instance, LongPollingTransport.Instance];
        _enabled = Array.FindAll(all, t => (enabled & t.Flag) != 0);
    }

    /// <summary>The enabled transport called <paramref name="name"/> (case-insensitive), or <see langword="null"/>.</summary>
    public IServerTransport? Find(string? name) => name is null ? null : Find(name.AsSpan());

    /// <summary>The enabled transport called <paramref name="name"/> (case-insensitive), or <see langword="null"/>; no delegate per call.</summary>
    public IServerTransport? Find(ReadOnlySpan<char> name)
    {
        foreach (var transport in _enabled)
        {
            if (name.Equals(transport.Name, StringComparison.OrdinalIgnoreCase))
            {
                return transport;
            }
        }

        return null;
    }
}
