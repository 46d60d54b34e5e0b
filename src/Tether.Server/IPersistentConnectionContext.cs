namespace Tether.Server;

/// <summary>Sends to the connections of <typeparamref name="TConnection"/> from anywhere in the application.</summary>
/// <typeparam name="TConnection">The persistent connection type.</typeparam>
/// <remarks>Resolve it from dependency injection, e.g. in a controller or a background service.</remarks>
public interface IPersistentConnectionContext<TConnection>
    where TConnection : PersistentConnection
{
    /// <summary>Sends to connections of <typeparamref name="TConnection"/>.</summary>
    IConnection Connection { get; }

    /// <summary>Manages and sends to the groups of <typeparamref name="TConnection"/>.</summary>
    IConnectionGroupManager Groups { get; }
}
