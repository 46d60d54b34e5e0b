using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>How one transport puts persistent responses and keep-alives on the wire. Used only by the receive loop.</summary>
internal interface IResponseSink
{
    /// <summary>Whether the request ends after one persistent response (long polling).</summary>
    bool EndsAfterResponse { get; }

    /// <summary>The most messages one response carries (the byte bound applies as well).</summary>
    int MaxMessages { get; }

    /// <summary>
    /// Whether the transport itself notices that the client went away and ends the session (a WebSocket's input loop),
    /// so the session need not watch the request's aborted token.
    /// </summary>
    bool NoticesClientGone => false;

    /// <summary>Writes one persistent response.</summary>
    ValueTask WriteResponseAsync(PersistentResponseHeader header, IReadOnlyList<Message> messages, CancellationToken cancellationToken);

    /// <summary>Writes the transport's keep-alive.</summary>
    ValueTask WriteKeepAliveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs each time the loop is about to wait for messages, after what was already there has been written: long
    /// polling flushes its headers here, so a poll that finds messages at once sends headers and body in one write.
    /// </summary>
    ValueTask BeforeWaitAsync(CancellationToken cancellationToken) => default;
}
