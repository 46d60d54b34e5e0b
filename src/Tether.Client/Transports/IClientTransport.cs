using System;

namespace Tether.Client.Transports;

/// <summary>A transport a <see cref="Connection"/> can be started with.</summary>
/// <remarks>
/// Implemented by <see cref="WebSocketTransport"/>, <see cref="ServerSentEventsTransport"/>,
/// <see cref="LongPollingTransport"/> and <see cref="AutoTransport"/>. Unlike the classic interface it carries no
/// protocol methods: a transport instance describes how to connect, and each start runs its own internal session, so an
/// instance may be reused for later starts.
/// </remarks>
public interface IClientTransport : IDisposable
{
    /// <summary>The protocol name: <c>webSockets</c>, <c>serverSentEvents</c> or <c>longPolling</c> (for <see cref="AutoTransport"/>, the one in use).</summary>
    string Name { get; }

    /// <summary>Whether the server's keep-alives reach the client, so that the heartbeat monitor watches them.</summary>
    bool SupportsKeepAlive { get; }
}
