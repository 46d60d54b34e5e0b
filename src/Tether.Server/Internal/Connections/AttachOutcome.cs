namespace Tether.Server.Internal;

/// <summary>What <see cref="ConnectionManager.Attach"/> did with a receive request.</summary>
internal enum AttachOutcome
{
    /// <summary>It is the connection's live receive request now.</summary>
    Attached,

    /// <summary>As <see cref="Attached"/>, for a connection this node did not know: it came from another node.</summary>
    Arrived,

    /// <summary>Refused: the client stopped the connection.</summary>
    Stopped,

    /// <summary>Refused: the connection timed out.</summary>
    TimedOut,
}
