using System;
using Tether.Client.Http;
using Tether.Client.Internal.Transports;
using Tether.Protocol;

namespace Tether.Client.Transports;

/// <summary>The WebSockets transport: one socket, one text frame per message each way.</summary>
public sealed class WebSocketTransport : ClientTransportBase
{
    /// <summary>Creates the transport with a <see cref="DefaultHttpClient"/> for its HTTP requests.</summary>
    public WebSocketTransport()
        : this(new DefaultHttpClient())
    {
    }

    /// <summary>Creates the transport.</summary>
    /// <param name="client">The HTTP client for negotiate, start and abort.</param>
    public WebSocketTransport(IHttpClient client)
        : base(client, TransportNames.WebSockets)
    {
    }

    /// <summary>How long to wait between two failed reconnect attempts. Classic default: 2 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <inheritdoc/>
    public override bool SupportsKeepAlive => true;

    internal override ITransport CreateSession(TransportContext context) => new WebSocketSession(context, ReconnectDelay);
}
