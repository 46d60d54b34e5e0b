using System;
using Tether.Client.Http;
using Tether.Client.Internal.Transports;
using Tether.Protocol;

namespace Tether.Client.Transports;

/// <summary>The Server-Sent Events transport: a streaming <c>text/event-stream</c> response; messages are sent with <c>/send</c>.</summary>
public sealed class ServerSentEventsTransport : ClientTransportBase
{
    /// <summary>Creates the transport with a <see cref="DefaultHttpClient"/>.</summary>
    public ServerSentEventsTransport()
        : this(new DefaultHttpClient())
    {
    }

    /// <summary>Creates the transport.</summary>
    /// <param name="httpClient">The HTTP client for every request.</param>
    public ServerSentEventsTransport(IHttpClient httpClient)
        : base(httpClient, TransportNames.ServerSentEvents)
    {
    }

    /// <summary>How long to wait after the stream ends before reconnecting. Classic default: 2 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <inheritdoc/>
    public override bool SupportsKeepAlive => true;

    internal override ITransport CreateSession(TransportContext context) => new ServerSentEventsSession(context, ReconnectDelay);
}
