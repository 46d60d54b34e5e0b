using System;

namespace Tether.Client;

/// <summary>What <see cref="Connection.TraceWriter"/> receives, as flags.</summary>
[Flags]
public enum TraceLevels
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Every payload received and sent.</summary>
    Messages = 1,

    /// <summary>Transport events: connects, reconnects, errors, keep-alive warnings.</summary>
    Events = 2,

    /// <summary>State changes.</summary>
    StateChanges = 4,

    /// <summary>Everything.</summary>
    All = Messages | Events | StateChanges,
}
