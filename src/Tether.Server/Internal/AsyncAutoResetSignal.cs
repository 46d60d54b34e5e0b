using System.Threading.Tasks.Sources;

namespace Tether.Server.Internal;

/// <summary>
/// A reusable, allocation-free wake-up for one waiter: <see cref="Set"/> from any thread; <see cref="WaitAsync"/> from the
/// single reader, which consumes the signal. A set without a waiter is remembered until the next wait.
/// </summary>
/// <remarks>
/// A publisher calling <see cref="Set"/> never runs the reader's loop inline: the wake-up is queued to the thread pool.
/// The one exception is asked for explicitly with <see cref="DeferWakeUps"/>: a WebSocket's input loop, which publishes
/// to its own connection, holds back the wake-up it causes and runs the waiter on its own thread once its handler has
/// returned, which saves a thread-pool hop per echoed message.
/// </remarks>
internal sealed class AsyncAutoResetSignal : IValueTaskSource, IThreadPoolWorkItem
{
    private const int Idle = 0;
    private const int Signaled = 1;
    private const int Waiting = 2;

    /// <summary>The signal whose wake-ups this thread holds back, if any.</summary>
    [ThreadStatic]
    private static AsyncAutoResetSignal? t_deferring;

    /// <summary>Whether a wake-up of <see cref="t_deferring"/> was held back.</summary>
    [ThreadStatic]
    private static bool t_deferred;

    // Continuations run where SetResult is called: on the thread pool (Execute), or in the deferring thread.
    private ManualResetValueTaskSourceCore<bool> _core;
    private int _state;

    public void Set()
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Signaled:
                    return;
                case Idle:
                    if (Interlocked.CompareExchange(ref _state, Signaled, Idle) == Idle)
                    {
                        return;
                    }

                    break;
                default:
                    if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
                    {
                        Wake();
                        return;
                    }

                    break;
            }
        }
    }

    /// <summary>Completes when the signal is set (at once if it already was). Only one wait may be pending.</summary>
    public ValueTask WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Signaled) == Signaled)
        {
            return default;
        }

        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) == Idle)
        {
            return new ValueTask(this, _core.Version);
        }

        // Set() ran between the two exchanges: consume it.
        Interlocked.Exchange(ref _state, Idle);
        return default;
    }

    /// <summary>
    /// Until the returned scope is disposed, a wake-up of this signal's waiter caused by a <see cref="Set"/> on this
    /// thread is held back; disposing the scope then runs the waiter inline, on this thread. Sets on other threads wake
    /// the waiter as usual. Dispose the scope on the thread that took it, before awaiting anything.
    /// </summary>
    /// <returns>The scope.</returns>
    public DeferredWakeUps DeferWakeUps()
    {
        var scope = new DeferredWakeUps(t_deferring, t_deferred);
        t_deferring = this;
        t_deferred = false;
        return scope;
    }

    void IThreadPoolWorkItem.Execute() => _core.SetResult(true);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Wake()
    {
        if (ReferenceEquals(t_deferring, this))
        {
            t_deferred = true;
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    /// <summary>The scope of <see cref="DeferWakeUps"/>; restores the thread's previous scope when disposed.</summary>
    internal readonly struct DeferredWakeUps(AsyncAutoResetSignal? outer, bool outerDeferred) : IDisposable
    {
        public void Dispose()
        {
            var signal = t_deferring;
            bool deferred = t_deferred;
            t_deferring = outer;
            t_deferred = outerDeferred;
            if (deferred)
            {
                signal!._core.SetResult(true);
            }
        }
    }
}
