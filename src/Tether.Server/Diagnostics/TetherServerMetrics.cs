using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tether.Server.Internal;
using Tether.Server.Internal.Transports;
using Tether.Server.Messaging;

namespace Tether.Server.Diagnostics;

/// <summary>
/// The instruments of the <c>Tether.Server</c> meter, created through <see cref="IMeterFactory"/> so each service
/// provider (each host, each test server) has its own. Every call site in the server is one line.
/// </summary>
internal sealed class TetherServerMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly OpenConnections _open;
    private readonly Counter<long> _negotiations;
    private readonly Counter<long> _connected;
    private readonly Counter<long> _reconnected;
    private readonly Counter<long> _disconnected;
    private readonly Counter<long> _receiveRequests;
    private readonly Counter<long> _received;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _published;
    private readonly Histogram<double> _publishDuration;
    private readonly Counter<long> _gaps;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _hubInvocations;
    private readonly Histogram<double> _hubInvocationDuration;

    public TetherServerMetrics(IMeterFactory meterFactory, IOptions<PersistentConnectionOptions> options, IServiceProvider services)
    {
        _meter = meterFactory.Create(TetherServerDiagnostics.MeterName);
        var current = _meter.CreateUpDownCounter<long>("tether.server.connections.current", "{connection}", "Connections this node holds now (connected or reconnecting), by transport and connection type.");
        _open = new OpenConnections(current);
        _negotiations = _meter.CreateCounter<long>("tether.server.negotiations", "{request}", "Negotiate requests answered.");
        _connected = _meter.CreateCounter<long>("tether.server.connections.connected", "{connection}", "Connections established on this node (their first receive request).");
        _reconnected = _meter.CreateCounter<long>("tether.server.connections.reconnected", "{connection}", "Reconnect requests (a client resuming after a loss).");
        _disconnected = _meter.CreateCounter<long>("tether.server.connections.disconnected", "{connection}", "Connections that ended on this node, by reason: stopped (the client stopped), timeout (no receive request for the disconnect timeout), moved (went on through another node).");
        _receiveRequests = _meter.CreateCounter<long>("tether.server.receive_requests", "{request}", "Receive requests (connect, reconnect, long polls) by transport and kind.");
        _received = _meter.CreateCounter<long>("tether.server.messages.received", "{message}", "Messages received from clients (sends and WebSocket messages).");
        _sent = _meter.CreateCounter<long>("tether.server.messages.sent", "{message}", "Sends made by the application (Send, Broadcast, group sends), one per call.");
        _delivered = _meter.CreateCounter<long>("tether.server.messages.delivered", "{message}", "Messages written to clients, by transport.");
        _published = _meter.CreateCounter<long>("tether.server.backplane.published", "{message}", "Messages published to the backplane, by outcome (ok, failed).");
        _publishDuration = _meter.CreateHistogram<double>("tether.server.backplane.publish.duration", "s", "Time to publish one message to the backplane, until this node has applied it.");
        _gaps = _meter.CreateCounter<long>("tether.server.backplane.gaps", "{gap}", "Ranges of backplane messages this node can never deliver (missed and no longer stored), by reason.");
        _errors = _meter.CreateCounter<long>("tether.server.errors", "{error}", "Requests and handlers that failed, by error.type.");
        _hubInvocations = _meter.CreateCounter<long>("tether.server.hub.invocations", "{invocation}", "Hub method invocations, by hub and outcome: ok, hub_error (a HubException), error (any other failure).");
        _hubInvocationDuration = _meter.CreateHistogram<double>("tether.server.hub.invocation.duration", "s", "Time to run one hub method invocation, by hub and outcome.");

        long maxBytes = options.Value.MaxBufferedBytes;
        _meter.CreateObservableGauge("tether.server.buffer.bytes", () => Buffer(services)?.BufferedBytes ?? 0, "By", "Payload bytes the message buffers of this node keep now.");
        _meter.CreateObservableGauge("tether.server.buffer.limit", () => maxBytes, "By", "The byte budget of the buffers (MaxBufferedBytes).");
        _meter.CreateObservableCounter("tether.server.buffer.evicted", () => Buffer(services)?.EvictedMessages ?? 0, "{message}", "Buffered messages dropped, oldest first, to stay within the byte budget.");
    }

    /// <summary>A connection was established here: it counts as current, and as connected.</summary>
    public void ConnectionOpened(ConnectionKey key, IRequest request)
    {
        if (_open.Counts(key))
        {
            return;
        }

        // A live request's query is read value by value: parsing the whole query would keep it for the request's life.
        string transport = TetherTags.TransportOf(request.HttpContext is { } http ? RequestQuery.Get(http.Request, "transport") : request.QueryString["transport"]);
        if (_open.Add(key, transport))
        {
            _connected.Add(1, new(TetherTags.Transport, transport), new(TetherTags.ConnectionType, key.TypeName));
        }
    }

    /// <summary>A connection ended here (or left for another node); a second call for the same one does nothing.</summary>
    public void ConnectionClosed(ConnectionKey key, string reason)
    {
        if (_open.Remove(key) is { } transport)
        {
            _disconnected.Add(1, new(TetherTags.Transport, transport), new(TetherTags.ConnectionType, key.TypeName), new(TetherTags.Reason, reason));
        }
    }

    /// <summary>Counts a negotiate request and starts its span.</summary>
    public Activity? Negotiating(string typeName, string connectionId)
    {
        _negotiations.Add(1, new KeyValuePair<string, object?>(TetherTags.ConnectionType, typeName));
        return TetherActivities.StartNegotiate(typeName, connectionId);
    }

    /// <summary>Counts a receive request and, for a connect or reconnect, starts its span (it lasts as long as the request).</summary>
    public Activity? Receiving(string transport, string typeName, string connectionId, ReceiveKind kind)
    {
        var tags = new TagList { { TetherTags.Transport, transport }, { TetherTags.ConnectionType, typeName } };
        if (kind == ReceiveKind.Reconnect)
        {
            _reconnected.Add(1, tags);
        }

        tags.Add(TetherTags.Kind, KindName(kind));
        _receiveRequests.Add(1, tags);
        return kind == ReceiveKind.Poll ? null : TetherActivities.StartReceive(kind, transport, typeName, connectionId);
    }

    /// <summary>Counts a message a client sent.</summary>
    public void MessageReceived(string typeName, string? transport) =>
        _received.Add(1, new(TetherTags.ConnectionType, typeName), new(TetherTags.Transport, TetherTags.TransportOf(transport)));

    /// <summary>Counts one send of the application.</summary>
    public void MessageSent(string typeName) => _sent.Add(1, new KeyValuePair<string, object?>(TetherTags.ConnectionType, typeName));

    /// <summary>Counts the messages of one response written to a client (commands and messages it excludes are not).</summary>
    public void Delivered(IReadOnlyList<Message> messages, string connectionId, string? transport)
    {
        if (!_delivered.Enabled)
        {
            return;
        }

        int count = 0;
        foreach (var message in messages)
        {
            count += message.Command is null && !message.Excludes(connectionId) ? 1 : 0;
        }

        if (count > 0)
        {
            _delivered.Add(count, new KeyValuePair<string, object?>(TetherTags.Transport, TetherTags.TransportOf(transport)));
        }
    }

    /// <summary>Records one backplane publication: its outcome and, when it succeeded, how long it took.</summary>
    public void Published(long startTimestamp, bool succeeded)
    {
        _published.Add(1, new KeyValuePair<string, object?>(TetherTags.Outcome, succeeded ? "ok" : "failed"));
        if (succeeded)
        {
            _publishDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        }
    }

    /// <summary>Counts a gap the backplane cannot fill.</summary>
    public void Gap(string reason) => _gaps.Add(1, new KeyValuePair<string, object?>(TetherTags.Reason, reason));

    /// <summary>Counts a failed request or handler.</summary>
    public void Error(string errorType) => _errors.Add(1, new KeyValuePair<string, object?>(TetherTags.ErrorType, errorType));

    /// <summary>Starts the span of a hub method invocation; pass it, with a <see cref="Stopwatch.GetTimestamp"/> taken now, to <see cref="HubInvoked"/>.</summary>
    public static Activity? HubInvoking(string hub, string method, string connectionId) =>
        TetherActivities.StartHubInvocation(hub, method, connectionId);

    /// <summary>
    /// Counts a hub method invocation and records its duration under its hub and outcome, then sets the outcome on its
    /// span: status Error, with <paramref name="error"/> as the description, unless it is <see cref="HubInvocationOutcome.Ok"/>.
    /// </summary>
    public void HubInvoked(Activity? activity, string hub, long startTimestamp, string outcome, string? error)
    {
        var tags = new TagList { { TetherTags.Hub, hub }, { TetherTags.Outcome, outcome } };
        _hubInvocations.Add(1, tags);
        _hubInvocationDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
        activity?.SetTag(TetherTags.Outcome, outcome);
        if (outcome != HubInvocationOutcome.Ok)
        {
            activity?.SetStatus(ActivityStatusCode.Error, error);
        }
    }

    public void Dispose() => _meter.Dispose();

    private static IBufferedBytesSource? Buffer(IServiceProvider services) => services.GetService<IMessageBus>() as IBufferedBytesSource;

    private static string KindName(ReceiveKind kind) => kind switch
    {
        ReceiveKind.Connect => "connect",
        ReceiveKind.Reconnect => "reconnect",
        _ => "poll",
    };
}
