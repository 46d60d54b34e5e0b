using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
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
/// <param name="OnReceived">Raises <c>OnReceived</c> for data that arrives on the receive request itself (WebSockets).</param>
internal sealed record ReceiveContext(
    HttpContext Http,
    ReceiveRequest Request,
    ReceiveServices Services,
    IConnectionEvents Events,
    Func<string, Task> OnReceived)
{
    /// <summary>Runs once the request is the connection's live one (e.g. <c>OnConnected</c> before protocol 1.4).</summary>
    public Func<Task>? OnAttached { get; init; }

    public ConnectionKey Key => new(Request.TypeName, Request.ConnectionId);
}
