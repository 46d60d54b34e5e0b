namespace Tether.Server.Hubs;

/// <summary>What the hub layer needs of a hub instance. Derive hubs from <see cref="Hub"/>.</summary>
public interface IHub : IDisposable
{
    /// <summary>The calling connection and its request.</summary>
    HubCallerContext Context { get; set; }

    /// <summary>The hub's clients.</summary>
    IHubCallerConnectionContext<dynamic> Clients { get; set; }

    /// <summary>The hub's groups.</summary>
    IGroupManager Groups { get; set; }

    /// <summary>Raised when a client connected to this hub has started.</summary>
    /// <returns>A task that completes when the event is handled.</returns>
    Task OnConnected();

    /// <summary>Raised when a client reconnected.</summary>
    /// <returns>A task that completes when the event is handled.</returns>
    Task OnReconnected();

    /// <summary>Raised once when a client disconnects.</summary>
    /// <param name="stopCalled">Whether the client stopped on purpose.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    Task OnDisconnected(bool stopCalled);
}
