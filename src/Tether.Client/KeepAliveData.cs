using System;

namespace Tether.Client;

/// <summary>The keep-alive thresholds the heartbeat monitor derives from the server's <c>KeepAliveTimeout</c>.</summary>
/// <remarks>
/// With the classic defaults (a 20 s timeout) the connection is reported slow after 13.3 s without a message or
/// keep-alive, is treated as lost after 20 s, and the monitor checks every 2.2 s.
/// </remarks>
public class KeepAliveData
{
    private const double KeepAliveWarnAt = 2.0 / 3.0;

    /// <summary>Derives the thresholds from a timeout: warning at two thirds, checks every third of the rest.</summary>
    /// <param name="timeout">The server's keep-alive timeout.</param>
    public KeepAliveData(TimeSpan timeout)
    {
        Timeout = timeout;
        TimeoutWarning = TimeSpan.FromTicks((long)(timeout.Ticks * KeepAliveWarnAt));
        CheckInterval = TimeSpan.FromTicks((Timeout.Ticks - TimeoutWarning.Ticks) / 3);
    }

    /// <summary>Sets every threshold.</summary>
    /// <param name="timeout">How long without a message before the connection is treated as lost.</param>
    /// <param name="timeoutWarning">How long without a message before <see cref="Connection.ConnectionSlow"/> is raised.</param>
    /// <param name="checkInterval">How often the monitor checks.</param>
    public KeepAliveData(TimeSpan timeout, TimeSpan timeoutWarning, TimeSpan checkInterval)
    {
        Timeout = timeout;
        TimeoutWarning = timeoutWarning;
        CheckInterval = checkInterval;
    }

    /// <summary>How long without a message or keep-alive before the connection is treated as lost and the transport reconnects.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>How long without a message or keep-alive before <see cref="Connection.ConnectionSlow"/> is raised.</summary>
    public TimeSpan TimeoutWarning { get; }

    /// <summary>How often the heartbeat monitor checks.</summary>
    public TimeSpan CheckInterval { get; }
}
