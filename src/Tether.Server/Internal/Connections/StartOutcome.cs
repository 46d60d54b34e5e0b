namespace Tether.Server.Internal;

/// <summary>What a <c>/start</c> finds in the <see cref="ConnectionManager"/>.</summary>
internal enum StartOutcome
{
    /// <summary>This node holds the live connection and it had not started: raise <c>OnConnected</c>.</summary>
    Started,

    /// <summary>It started already, or it has ended: raise nothing.</summary>
    Refused,

    /// <summary>This node does not hold the connection; in a scale-out cluster another node may.</summary>
    Unknown,
}
