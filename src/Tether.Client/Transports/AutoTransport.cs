using System;
using System.Collections.Generic;
using System.Linq;
using Tether.Client.Http;
using Tether.Client.Internal.Transports;
using Tether.Protocol;

namespace Tether.Client.Transports;

/// <summary>
/// Tries WebSockets, then Server-Sent Events, then long polling, as the classic client does: WebSockets is skipped
/// when negotiate says <c>TryWebSockets: false</c>; a transport that fails, or whose init message does not come within
/// the transport connect timeout, gives way to the next; a failed <c>/start</c> ends the start without trying another.
/// </summary>
public sealed class AutoTransport : ClientTransportBase
{
    private readonly ClientTransportBase[] _transports;
    private volatile ClientTransportBase? _active;

    /// <summary>Creates the automatic transport with the three transports sharing one HTTP client.</summary>
    /// <param name="httpClient">The HTTP client.</param>
    public AutoTransport(IHttpClient httpClient)
        : this(httpClient, [new WebSocketTransport(httpClient), new ServerSentEventsTransport(httpClient), new LongPollingTransport(httpClient)])
    {
    }

    /// <summary>Creates the automatic transport over a given list of transports, tried in order.</summary>
    /// <param name="httpClient">The HTTP client for negotiate.</param>
    /// <param name="transports">The transports (Tether.Client's own; an <see cref="AutoTransport"/> may not be nested).</param>
    public AutoTransport(IHttpClient httpClient, IList<IClientTransport> transports)
        : base(httpClient, "auto")
    {
        if (transports is null)
        {
            throw new ArgumentNullException(nameof(transports));
        }

        _transports = transports.Select(t => t as ClientTransportBase is { } b && b is not AutoTransport
            ? b
            : throw new ArgumentException(Internal.Resources.CustomTransportNotSupported, nameof(transports))).ToArray();
    }

    /// <summary>The transport in use once a start succeeded; <c>auto</c> before.</summary>
    public override string Name => _active?.Name ?? TransportName;

    /// <summary>Whether the transport in use supports keep-alives; <see langword="false"/> before a start succeeded.</summary>
    public override bool SupportsKeepAlive => _active?.SupportsKeepAlive ?? false;

    /// <summary>The transports tried, in order.</summary>
    public IReadOnlyList<IClientTransport> Transports => _transports;

    internal override IReadOnlyList<ClientTransportBase> Candidates(bool tryWebSockets) =>
        _transports.Where(t => tryWebSockets || !string.Equals(t.Name, TransportNames.WebSockets, StringComparison.Ordinal)).ToArray();

    internal override ITransport CreateSession(TransportContext context) =>
        throw new InvalidOperationException("AutoTransport picks one of its transports; it has no session of its own.");

    /// <summary>Records which transport won, for <see cref="Name"/>.</summary>
    internal void SetActive(ClientTransportBase? transport) => _active = transport;
}
