namespace Tether.Client;

/// <summary>The states of a <see cref="Connection"/>, with the classic client's values.</summary>
public enum ConnectionState
{
    /// <summary><c>Start</c> was called: negotiating, opening a transport and waiting for <c>/start</c>.</summary>
    Connecting,

    /// <summary>The connection is established and receives messages.</summary>
    Connected,

    /// <summary>The receive channel was lost; the transport is reconnecting with the same connection token.</summary>
    Reconnecting,

    /// <summary>Not started, stopped, failed to start, or gave up reconnecting.</summary>
    Disconnected,
}
