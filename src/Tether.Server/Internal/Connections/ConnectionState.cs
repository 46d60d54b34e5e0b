namespace Tether.Server.Internal;

/// <summary>Where a connection is in its life, as the <see cref="ConnectionManager"/> sees it.</summary>
internal enum ConnectionState
{
    /// <summary>Negotiated but never seen by a receive request here; the manager keeps nothing for it.</summary>
    Negotiated,

    /// <summary>A receive request is live.</summary>
    Connected,

    /// <summary>No receive request is live; the client has until the disconnect timeout to come back.</summary>
    Reconnecting,

    /// <summary>Ended by the client's stop (<c>/abort</c>). Late receive requests get an ordinary, empty answer.</summary>
    Stopped,

    /// <summary>Ended because no receive request came back in time. Late receive requests get the disconnected error.</summary>
    TimedOut,
}

/// <summary>State helpers.</summary>
internal static class ConnectionStates
{
    /// <summary>Whether the connection has ended (its tombstone).</summary>
    public static bool HasEnded(this ConnectionState state) => state is ConnectionState.Stopped or ConnectionState.TimedOut;
}
