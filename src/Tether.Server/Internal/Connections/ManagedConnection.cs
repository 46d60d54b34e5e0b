using Tether.Server.Internal.Transports;

namespace Tether.Server.Internal;

/// <summary>
/// One connection's record in the <see cref="ConnectionManager"/>. Every field is read and written under a lock on the
/// instance; the record outlives the connection as its tombstone until <see cref="ForgetAt"/>.
/// </summary>
internal sealed class ManagedConnection(ConnectionKey key, IConnectionEvents events, long now)
{
    public ConnectionKey Key { get; } = key;

    /// <summary>Raises this connection's events on its own connection type.</summary>
    public IConnectionEvents Events { get; } = events;

    public ConnectionState State { get; set; } = ConnectionState.Negotiated;

    /// <summary>
    /// Whether the connection ever came here from another node (or went back and forth): other nodes may still read its
    /// topic on a shared bus, so it is not released early when it ends.
    /// </summary>
    public bool Travelled { get; set; }

    /// <summary>Whether <c>OnConnected</c> was raised (at most once).</summary>
    public bool Started { get; set; }

    /// <summary>The live receive request, if any.</summary>
    public ReceiveSession? Live { get; set; }

    /// <summary>
    /// The last receive request, as <c>OnDisconnected</c> sees it after a timeout: the live request's own view while it
    /// is live, a snapshot of it once it has detached.
    /// </summary>
    public IRequest? LastRequest { get; set; }

    /// <summary>Where the last receive request's unconsumed messages begin: where to look for another node's commands.</summary>
    public string? UnconsumedFrom { get; set; }

    /// <summary>The cursor of the last response this node wrote to the client: a request that comes with another one was served elsewhere in between.</summary>
    public string? LastSentCursor { get; set; }

    /// <summary>When a receive request was last live (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastActive { get; set; } = now;

    public bool LastWasLongPolling { get; set; }

    /// <summary>When the tombstone of an ended connection is dropped.</summary>
    public long ForgetAt { get; set; }

    /// <summary>Removed from the table; a request that still holds this record must look again.</summary>
    public bool Forgotten { get; set; }
}
