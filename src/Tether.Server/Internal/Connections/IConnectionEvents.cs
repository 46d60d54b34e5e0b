namespace Tether.Server.Internal;

/// <summary>Raises the events of the connection type that owns a connection, outside any request of it.</summary>
internal interface IConnectionEvents
{
    /// <summary>Raises <see cref="PersistentConnection.OnConnected"/> in a scope of its own (a start served by another node).</summary>
    Task RaiseConnectedAsync(IRequest request, string connectionId);

    /// <summary>Raises <see cref="PersistentConnection.OnDisconnected"/> in a scope of its own.</summary>
    Task RaiseDisconnectedAsync(IRequest request, string connectionId, bool stopCalled);
}
