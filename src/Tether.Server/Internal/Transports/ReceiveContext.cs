using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tether.Protocol;
using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>The services every receive request uses, resolved once per mapped connection type.</summary>
internal sealed class ReceiveServices(PersistentConnectionOptions options, IMessageBus bus, ConnectionTokenProtector tokens, ConnectionManager connections, TimeProvider time, ILogger logger, Diagnostics.TetherServerMetrics metrics)
{
    public Diagnostics.TetherServerMetrics Metrics { get; } = metrics;

    public PersistentConnectionOptions Options { get; } = options;

    public IMessageBus Bus { get; } = bus;

    public ConnectionTokenProtector Tokens { get; } = tokens;

    public ConnectionManager Connections { get; } = connections;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;
}

/// <summary>One validated receive request with everything a transport needs to serve it.</summary>
/// <param name="Http">The HTTP request.</param>
/// <param name="Request">What the client asked for: connection, cursor, groups.</param>
/// <param name="Services">The shared services.</param>
/// <param name="Events">Raises the connection type's events.</param>
/// <param name="Connection">The connection instance of this request, whose <c>OnReceived</c> takes data that arrives on the receive request itself (WebSockets).</param>
/// <param name="View">The request as the connection's events see it.</param>
internal sealed record ReceiveContext(
    HttpContext Http,
    ReceiveRequest Request,
    ReceiveServices Services,
    IConnectionEvents Events,
    PersistentConnection Connection,
    HttpRequestView View)
{
    private Func<string, Task>? _onReceived;

    /// <summary>Runs once the request is the connection's live one (e.g. <c>OnConnected</c> before protocol 1.4).</summary>
    public Func<Task>? OnAttached { get; init; }

    /// <summary>
    /// Raises <c>OnReceived</c> for data that arrives on the receive request itself (WebSockets). Made when first read:
    /// the HTTP transports never read it, so their receive requests build no delegate for it.
    /// </summary>
    public Func<string, Task> OnReceived => _onReceived ??= RaiseReceived;

    public ConnectionKey Key => new(Request.TypeName, Request.ConnectionId);

    /// <summary>
    /// Whether the connection answers some messages with a frame of its own (<see cref="IDirectReplyFeature"/>): hub
    /// invocations do; a plain persistent connection never does, so its requests carry no such feature.
    /// </summary>
    public bool RepliesDirectly => Connection is Hubs.Internal.HubEndpoint;

    private Task RaiseReceived(string data)
    {
        Services.Metrics.MessageReceived(Request.TypeName, TransportNames.WebSockets);
        return Connection.OnReceived(View, Request.ConnectionId, data).OrCompleted();
    }
}
