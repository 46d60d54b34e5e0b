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
    public IServerTransport? Find(string? name) =>
        Array.Find(_enabled, t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
}
