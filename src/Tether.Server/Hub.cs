using Tether.Server.Hubs;

namespace Tether.Server;

/// <summary>
/// The base class of a classic hub: public methods are callable by clients (<c>{"H":hub,"M":method,...}</c>), and
/// <see cref="Clients"/> calls client methods dynamically (<c>Clients.All.addMessage(name, text)</c>).
/// </summary>
/// <remarks>
/// An instance is created from dependency injection for each call and each event and disposed after it: keep state in
/// services or in the caller's state (<c>Clients.Caller.name</c>), not in fields.
/// </remarks>
public abstract class Hub : IHub
{
    private HubCallerContext? _context;
    private IHubCallerConnectionContext<dynamic>? _clients;
    private IGroupManager? _groups;

    /// <summary>The hub's clients, called dynamically.</summary>
    public IHubCallerConnectionContext<dynamic> Clients
    {
        get => _clients ?? throw NotInitialized();
        set => _clients = value;
    }

    /// <summary>The calling connection and its request.</summary>
    public HubCallerContext Context
    {
        get => _context ?? throw NotInitialized();
        set => _context = value;
    }

    /// <summary>The hub's groups.</summary>
    public IGroupManager Groups
    {
        get => _groups ?? throw NotInitialized();
        set => _groups = value;
    }

    /// <summary>Raised when a client connected to this hub has started (<c>/start</c>).</summary>
    /// <returns>A task that completes when the event is handled.</returns>
    public virtual Task OnConnected() => Task.CompletedTask;

    /// <summary>Raised when a client reconnected.</summary>
    /// <returns>A task that completes when the event is handled.</returns>
    public virtual Task OnReconnected() => Task.CompletedTask;

    /// <summary>Raised once when a client disconnects.</summary>
    /// <param name="stopCalled"><see langword="true"/> when the client stopped; <see langword="false"/> after a timeout.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    public virtual Task OnDisconnected(bool stopCalled) => Task.CompletedTask;

    /// <summary>Disposes the instance after its call.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the instance holds.</summary>
    /// <param name="disposing">Whether <see cref="Dispose()"/> was called.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    private static InvalidOperationException NotInitialized() =>
        new("Using a Hub instance not created by Tether is unsupported. Resolve IHubContext<THub> to reach clients from outside a hub.");
}
