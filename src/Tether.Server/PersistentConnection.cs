namespace Tether.Server;

/// <summary>
/// The base class of a classic persistent connection endpoint. Derive from it, override the events you need and map it
/// with <c>app.MapPersistentConnection&lt;TConnection&gt;("/path")</c>.
/// </summary>
/// <remarks>
/// <para>An instance is created from dependency injection for each event, so constructor injection of scoped services
/// works; keep state in services, not in fields.</para>
/// <para><see cref="OnConnected"/> is raised at most once per connection, on its first <c>/start</c> after a receive
/// request opened it (never after it stopped). <see cref="OnDisconnected"/> is raised exactly once per connection that
/// opened a receive request, on the connection type that issued its token: with <c>stopCalled: true</c> after the
/// client's <c>/abort</c>, or with <c>stopCalled: false</c> when no receive request has been open for
/// <see cref="PersistentConnectionOptions.DisconnectTimeout"/> plus a grace period; the request it gets is then the
/// connection's last receive request.</para>
/// <para>An override may return a <see langword="null"/> task, which counts as a completed one.</para>
/// </remarks>
public abstract class PersistentConnection
{
    private IConnection? _connection;
    private IConnectionGroupManager? _groups;

    /// <summary>Sends to the connections of this type.</summary>
    public IConnection Connection => _connection ?? throw NotInitialized();

    /// <summary>Manages and sends to the groups of this type.</summary>
    public IConnectionGroupManager Groups => _groups ?? throw NotInitialized();

    internal void Initialize(IConnection connection, IConnectionGroupManager groups)
    {
        _connection = connection;
        _groups = groups;
    }

    /// <summary>Decides whether a request may proceed. Runs on every request, negotiate included.</summary>
    /// <param name="request">The request.</param>
    /// <returns><see langword="true"/> to proceed; <see langword="false"/> answers 401 to anonymous users and 403 to authenticated ones.</returns>
    protected internal virtual Task<bool> AuthorizeRequest(IRequest request) => Task.FromResult(true);

    /// <summary>Raised when a client has started (on <c>/start</c>, after the transport is open).</summary>
    /// <param name="request">The <c>/start</c> request.</param>
    /// <param name="connectionId">The connection.</param>
    /// <returns>A task that completes when the event is handled; <c>/start</c> answers after it.</returns>
    protected internal virtual Task OnConnected(IRequest request, string connectionId) => Task.CompletedTask;

    /// <summary>Raised when a client reopens its receive channel after losing it.</summary>
    /// <param name="request">The reconnect request.</param>
    /// <param name="connectionId">The connection.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    protected internal virtual Task OnReconnected(IRequest request, string connectionId) => Task.CompletedTask;

    /// <summary>Raised for each message a client sends (a <c>/send</c> body or a WebSocket text message).</summary>
    /// <param name="request">The request that carried the data.</param>
    /// <param name="connectionId">The sending connection.</param>
    /// <param name="data">The data exactly as the client sent it; <see langword="null"/> when a <c>/send</c> had no body.</param>
    /// <returns>A task that completes when the message is handled.</returns>
    protected internal virtual Task OnReceived(IRequest request, string connectionId, string? data) => Task.CompletedTask;

    /// <summary>Raised once when a connection ends.</summary>
    /// <param name="request">The request that ended it, or a snapshot of its last receive request after a timeout.</param>
    /// <param name="connectionId">The connection.</param>
    /// <param name="stopCalled"><see langword="true"/> when the client called stop (<c>/abort</c>); <see langword="false"/> after a timeout.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    protected internal virtual Task OnDisconnected(IRequest request, string connectionId, bool stopCalled) => Task.CompletedTask;

    /// <summary>Chooses which groups a reconnecting client rejoins, from those in its groups token.</summary>
    /// <param name="request">The reconnect request.</param>
    /// <param name="groups">The groups the client was in.</param>
    /// <param name="connectionId">The connection.</param>
    /// <returns>The groups to rejoin; all of them by default.</returns>
    protected internal virtual Task<IList<string>> OnRejoiningGroups(IRequest request, IList<string> groups, string connectionId) => Task.FromResult(groups);

    /// <summary>Topics a receive request reads besides the connection's own, its type's and its groups' (the hub layer's).</summary>
    internal virtual IReadOnlyList<string> GetSignals(IRequest request, string connectionId) => [];

    private static InvalidOperationException NotInitialized() =>
        new("This PersistentConnection was not created by Tether. Resolve IPersistentConnectionContext<T> to send from outside a connection.");
}
