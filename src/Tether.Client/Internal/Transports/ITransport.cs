using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Tether.Client.Internal.Transports;

/// <summary>
/// One run of one transport for one connection attempt: it opens the receive channel, keeps it open (reconnecting on
/// its own, with the classic timings) and sends. It never changes the connection's state: what it receives and what it
/// needs decided come out of <see cref="Reports"/>, in order, and <see cref="Completion"/> tells how it ended.
/// </summary>
internal interface ITransport : IDisposable
{
    /// <summary>The protocol name (<c>webSockets</c>, <c>serverSentEvents</c>, <c>longPolling</c>).</summary>
    string Name { get; }

    /// <summary>Whether the server's keep-alives reach the client, so the heartbeat monitor may watch them.</summary>
    bool SupportsKeepAlive { get; }

    /// <summary>What the session received and asks, in order; completed when the session ends.</summary>
    ChannelReader<TransportReport> Reports { get; }

    /// <summary>Completes when the receive side has ended for good, telling how.</summary>
    Task<TransportEnd> Completion { get; }

    /// <summary>Starts opening the receive channel with <c>/connect</c> and returns.</summary>
    void Start();

    /// <summary>Sends one payload: a WebSocket text frame, or a <c>/send</c> POST whose non-empty answer is reported.</summary>
    ValueTask SendAsync(string data, CancellationToken cancellationToken);

    /// <summary>The heartbeat monitor saw no keep-alive for too long: drop the current channel so that the transport reconnects.</summary>
    void LostConnection();

    /// <summary>Closes everything at once (sockets, requests, loops), bounded in time; no <c>/abort</c>.</summary>
    Task StopAsync();
}
