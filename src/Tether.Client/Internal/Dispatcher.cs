using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Tether.Client.Internal;

/// <summary>
/// The connection's one dispatch loop: every event and every message is handed to user code here, one at a time, in
/// the order the connection produced them, never on a transport's read loop and never under the state lock.
/// </summary>
/// <remarks>
/// A callback that runs for longer than the deadlock timeout makes the watchdog raise <c>Error</c> with a
/// <see cref="Infrastructure.SlowCallbackException"/>: that one report is raised from the watchdog's timer thread,
/// because the loop itself is the thing that is stuck.
/// </remarks>
internal sealed class Dispatcher
{
    [ThreadStatic]
    private static Dispatcher? t_current;

    private readonly Channel<DispatchItem> _channel = Channel.CreateUnbounded<DispatchItem>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private readonly Action<DispatchItem> _invoke;
    private readonly Action<TimeSpan> _onSlowCallback;
    private readonly Func<TimeSpan> _deadlockTimeout;
    private readonly ITimer _watchdog;
    private readonly Task _loop;

    /// <summary>Counts callbacks, so that a late watchdog tick for a finished callback is ignored.</summary>
    private long _sequence;
    private long _watchedSequence = -1;

    public Dispatcher(Action<DispatchItem> invoke, Action<TimeSpan> onSlowCallback, Func<TimeSpan> deadlockTimeout, TimeProvider timeProvider)
    {
        _invoke = invoke;
        _onSlowCallback = onSlowCallback;
        _deadlockTimeout = deadlockTimeout;
        _watchdog = timeProvider.CreateTimer(static s => ((Dispatcher)s!).OnWatchdog(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Whether the calling code runs inside a callback of this loop.</summary>
    public bool IsCurrent => t_current == this;

    public Task Completion => _loop;

    public void Post(DispatchItem item) => _channel.Writer.TryWrite(item);

    /// <summary>Completes once everything posted before this call has been handed to user code.</summary>
    public Task WhenProcessedAsync()
    {
        var marker = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_channel.Writer.TryWrite(DispatchItem.ForMarker(marker)))
        {
            marker.TrySetResult(true);
        }

        return marker.Task;
    }

    /// <summary>
    /// From inside a callback: runs, on this thread and in order, what is queued up to and including the next Closed
    /// event. The synchronous <c>Stop()</c> uses it so that, as with the classic client, StateChanged and Closed have
    /// run when it returns, without waiting for anything.
    /// </summary>
    public void RunPendingInline()
    {
        if (!IsCurrent)
        {
            return;
        }

        long watched = Volatile.Read(ref _watchedSequence);
        try
        {
            while (_channel.Reader.TryRead(out DispatchItem? item))
            {
                if (item.Kind == DispatchKind.Marker)
                {
                    item.Marker!.TrySetResult(true);
                    continue;
                }

                _invoke(item);
                if (item.Kind == DispatchKind.Closed)
                {
                    return;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _watchedSequence, watched);
        }
    }

    /// <summary>Lets the loop end once it has run what was posted.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    private async Task RunAsync()
    {
        ChannelReader<DispatchItem> reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out DispatchItem? item))
            {
                if (item.Kind == DispatchKind.Marker)
                {
                    item.Marker!.TrySetResult(true);
                    continue;
                }

                long sequence = Interlocked.Increment(ref _sequence);
                TimeSpan timeout = _deadlockTimeout();
                bool watched = timeout > TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan;
                if (watched)
                {
                    Volatile.Write(ref _watchedSequence, sequence);
                    _watchdog.Change(timeout, Timeout.InfiniteTimeSpan);
                }

                t_current = this;
                try
                {
                    _invoke(item);
                }
                finally
                {
                    t_current = null;
                    if (watched)
                    {
                        Volatile.Write(ref _watchedSequence, -1);
                        _watchdog.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    }
                }
            }
        }

        _watchdog.Dispose();
    }

    private void OnWatchdog()
    {
        if (Volatile.Read(ref _watchedSequence) == Volatile.Read(ref _sequence))
        {
            _onSlowCallback(_deadlockTimeout());
        }
    }
}
