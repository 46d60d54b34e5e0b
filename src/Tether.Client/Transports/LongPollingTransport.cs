using System;
using Tether.Client.Http;
using Tether.Client.Internal.Transports;
using Tether.Protocol;

namespace Tether.Client.Transports;

/// <summary>The long-polling transport: one request per batch of messages; messages are sent with <c>/send</c>.</summary>
public sealed class LongPollingTransport : ClientTransportBase
{
    /// <summary>Creates the transport with a <see cref="DefaultHttpClient"/>.</summary>
    public LongPollingTransport()
        : this(new DefaultHttpClient())
    {
    }

    /// <summary>Creates the transport.</summary>
    /// <param name="httpClient">The HTTP client for every request.</param>
    public LongPollingTransport(IHttpClient httpClient)
        : base(httpClient, TransportNames.LongPolling)
    {
    }

    /// <summary>How long a reconnect poll must stay open, without failing, to count as reconnected. Classic default: 5 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait after a failed poll before the next one. Classic default: 2 s.</summary>
    public TimeSpan ErrorDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <inheritdoc/>
    public override bool SupportsKeepAlive => false;

    internal override ITransport CreateSession(TransportContext context) => new LongPollingSession(context, ReconnectDelay, ErrorDelay);
}
