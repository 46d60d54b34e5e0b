using System;
using Tether.Client.Internal;

namespace Tether.Client;

public partial class Connection
{
    /// <summary>
    /// A message arrived from the server (on the transport's thread, in arrival order, outside the state lock). The
    /// result goes to the dispatch loop; <see langword="null"/> means the message was consumed here (hub results and
    /// progress, which must not wait behind callbacks).
    /// </summary>
    internal virtual DispatchItem? OnMessageArrived(ReadOnlyMemory<byte> raw) => DispatchItem.FromUtf8(raw);

    /// <summary>On the dispatch loop, before <see cref="Received"/>: hub connections call their proxies' handlers here.</summary>
    internal virtual void OnMessageDispatching(DispatchItem message)
    {
    }

    /// <summary>
    /// The connection started reconnecting (<paramref name="closed"/> false), or began to stop or closed: results still
    /// awaited may never come, or must no longer count. Called under the state lock, when stopping begins and after the
    /// state changed, before the event is queued, so that whoever sees the event or the state sees the invocations
    /// already failed; it must only complete tasks asynchronously.
    /// </summary>
    internal virtual void OnConnectionLost(bool closed)
    {
    }

    /// <summary>Reports a failure of a hub handler through <see cref="Error"/>: at once on the dispatch loop, queued to it from elsewhere (an async handler's continuation).</summary>
    internal void ReportHandlerError(Exception error)
    {
        if (_dispatcher.IsCurrent)
        {
            OnHandlerFailed(error);
        }
        else
        {
            RaiseError(null, error);
        }
    }
}
