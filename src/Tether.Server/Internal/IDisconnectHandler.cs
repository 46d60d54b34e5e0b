namespace Tether.Server.Internal;

/// <summary>Raises <see cref="PersistentConnection.OnDisconnected"/> for the connection type that owns a connection.</summary>
internal interface IDisconnectHandler
{
    Task RaiseDisconnectedAsync(IRequest request, string connectionId, bool stopCalled);
}
