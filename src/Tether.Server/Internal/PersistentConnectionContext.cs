using Microsoft.Extensions.Options;
using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>Sends to the connections of <typeparamref name="TConnection"/> from outside a connection.</summary>
internal sealed class PersistentConnectionContext<TConnection> : IPersistentConnectionContext<TConnection>
    where TConnection : PersistentConnection
{
    public PersistentConnectionContext(IMessageBus bus, IOptions<PersistentConnectionOptions> options, Diagnostics.TetherServerMetrics metrics)
    {
        var messenger = new ConnectionMessenger(bus, ConnectionTypeName.Of(typeof(TConnection)), options.Value.JsonSerializerOptions, metrics);
        Connection = messenger;
        Groups = messenger;
    }

    public IConnection Connection { get; }

    public IConnectionGroupManager Groups { get; }
}

/// <summary>The name that identifies a connection type in topics and groups tokens: its full name, as in classic SignalR.</summary>
internal static class ConnectionTypeName
{
    public static string Of(Type type) => type.FullName ?? type.Name;
}
