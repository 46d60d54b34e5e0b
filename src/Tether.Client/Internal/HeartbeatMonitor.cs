using System;
using System.Threading;

namespace Tether.Client.Internal;

/// <summary>
/// The keep-alive watch of one connection run: a timer on the connection's <see cref="TimeProvider"/> that beats every
/// <see cref="KeepAliveData.CheckInterval"/> (5 s without keep-alives). The connection decides what each beat means
/// (docs/protocol.md#heartbeat-reconnect-and-give-up); the flags are guarded by the connection's lock.
/// </summary>
internal sealed class HeartbeatMonitor : IDisposable
{
    private readonly ITimer _timer;

    public HeartbeatMonitor(TimeProvider timeProvider, TimeSpan interval, Action beat, bool monitorKeepAlive)
    {
        MonitorKeepAlive = monitorKeepAlive;
        _timer = timeProvider.CreateTimer(static s => ((Action)s!)(), beat, interval, interval);
    }

    /// <summary>Whether keep-alives are watched (the server sends them and the transport supports them).</summary>
    public bool MonitorKeepAlive { get; }

    /// <summary>Whether ConnectionSlow was raised in this outage.</summary>
    public bool HasBeenWarned { get; set; }

    /// <summary>Whether the connection was reported lost in this outage.</summary>
    public bool TimedOut { get; set; }

    public void ClearFlags()
    {
        HasBeenWarned = false;
        TimedOut = false;
    }

    public void Dispose() => _timer.Dispose();
}
