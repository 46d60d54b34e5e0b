using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Tether.Client.Infrastructure;
using Tether.Client.Internal;
using Tether.Client.Internal.Transports;
using Tether.Protocol;

namespace Tether.Client;

public partial class Connection
{
    /// <summary>Changes the state and queues StateChanged; the caller holds the lock.</summary>
    private void SetStateLocked(ConnectionState state)
    {
        ConnectionState old = _state;
        if (old == state)
        {
            return;
        }

        _state = state;
        _telemetry.StateChanged(this, old, state);
        _dispatcher.Post(DispatchItem.State(new StateChange(old, state)));
    }

    /// <summary>Queues an Error event of this run (ignored once the run is over).</summary>
    private void RaiseError(ConnectionRun? run, Exception error)
    {
        lock (_lock)
        {
            if (run != null && (_run != run || run.Closed))
            {
                return;
            }

            _lastError = error;
            _dispatcher.Post(DispatchItem.Error(error));
        }

        Log.ErrorRaised(_logger, error);
        Trace(TraceLevels.Events, "OnError({0})", error);
    }

    private void StopForInactivity(ConnectionRun run, long lastActive, TimeSpan window)
    {
        DateTime since = DateTime.UtcNow - TimeProvider.GetElapsedTime(lastActive);
        var error = new TimeoutException(string.Format(CultureInfo.CurrentCulture, Resources.ReconnectWindowTimeout, since, window));
        Log.ReconnectWindowExceeded(_logger, window);
        StopRunAsync(run, error, DefaultAbortTimeout, CancellationToken.None).Forget();
    }

    /// <summary>One beat of the heartbeat monitor (docs/protocol.md#heartbeat-reconnect-and-give-up).</summary>
    private void OnBeat(ConnectionRun run)
    {
        ITransport? lost = null;
        TimeSpan lostAfter = TimeSpan.Zero;
        bool inactive = false;
        long lastActive;
        TimeSpan window;
        lock (_lock)
        {
            if (_run != run || run.Closed || run.Monitor is not { } monitor)
            {
                return;
            }

            long now = TimeProvider.GetTimestamp();
            if (monitor.MonitorKeepAlive && _state == ConnectionState.Connected && run.KeepAlive is { } keepAlive)
            {
                TimeSpan elapsed = TimeProvider.GetElapsedTime(Interlocked.Read(ref run.LastMessageAt), now);
                if (elapsed >= keepAlive.Timeout)
                {
                    if (!monitor.TimedOut)
                    {
                        monitor.TimedOut = true;
                        lost = run.ActiveAttempt?.Session;
                        lostAfter = elapsed;
                    }
                }
                else if (elapsed >= keepAlive.TimeoutWarning)
                {
                    if (!monitor.HasBeenWarned)
                    {
                        monitor.HasBeenWarned = true;
                        _dispatcher.Post(DispatchItem.Event(DispatchKind.ConnectionSlow));
                    }
                }
                else
                {
                    monitor.ClearFlags();
                }
            }

            lastActive = run.LastActiveAt;
            window = run.ReconnectWindow;
            if (TimeProvider.GetElapsedTime(lastActive, now) >= window)
            {
                inactive = true;
            }
            else
            {
                run.LastActiveAt = now;
            }
        }

        if (lost != null)
        {
            Log.KeepAliveTimedOut(_logger, lostAfter);
            Trace(TraceLevels.Events, "Connection Timed-out : Transport Lost Connection");
            lost.LostConnection();
        }

        if (inactive)
        {
            StopForInactivity(run, lastActive, window);
        }
    }

    /// <summary>The DisconnectTimeout of one reconnect episode ran out.</summary>
    private void OnGiveUp(ConnectionRun run, int episode)
    {
        IRetryPolicy? policy = RetryPolicy;
        lock (_lock)
        {
            if (_run != run || run.Closed || _state != ConnectionState.Reconnecting || run.ReconnectEpisode != episode || run.Retrying)
            {
                return;
            }

            run.GiveUpTimer?.Dispose();
            run.GiveUpTimer = null;
            if (policy != null && !run.StopCts.IsCancellationRequested)
            {
                run.Retrying = true;
            }
        }

        var timeout = new TimeoutException(string.Format(CultureInfo.CurrentCulture, Resources.ReconnectTimeout, run.DisconnectTimeout));
        if (policy != null && !run.StopCts.IsCancellationRequested)
        {
            Log.RetryPolicyEngaged(_logger);
            RetryAsync(run, policy, timeout).Forget();
            return;
        }

        Log.GaveUp(_logger, timeout);
        RaiseError(run, timeout);
        Disconnect(run, timeout);
    }

    /// <summary>
    /// Closes a run: state Disconnected, ids cleared, Closed queued once, sends failed, the transport and the owned
    /// HTTP client released in the background. No <c>/abort</c>: <see cref="StopRunAsync"/> sends it first when stopping.
    /// </summary>
    private bool Disconnect(ConnectionRun run, Exception? reason, Task? beforeTeardown = null)
    {
        TransportAttempt? attempt;
        lock (_lock)
        {
            if (_run != run || run.Closed)
            {
                return false;
            }

            run.Closed = true;
            SetStateLocked(ConnectionState.Disconnected);
            OnConnectionLost(closed: true);
            _connectionId = null;
            _connectionToken = null;
            _groupsToken = null;
            _messageId = null;
            _transport = null;
            run.Pending.Clear();
            run.GiveUpTimer?.Dispose();
            run.GiveUpTimer = null;
            run.Monitor?.Dispose();
            run.Monitor = null;
            _dispatcher.Post(DispatchItem.Closed(reason));
            attempt = run.ActiveAttempt;
            run.ShutdownTask = ShutdownAsync(run, attempt, beforeTeardown);
        }

        // Sends still waiting fail now; the transport goes once the abort is done.
        run.ConnectedGate.TrySetResult(false);
        run.Sends.Writer.TryComplete();
        Log.Closed(_logger, reason);
        Trace(TraceLevels.Events, "Closed");
        return true;
    }

    private async Task ShutdownAsync(ConnectionRun run, TransportAttempt? attempt, Task? beforeTeardown)
    {
        // Never inline under the caller's lock.
        await Task.Yield();
        run.StopCts.Cancel();
        if (beforeTeardown != null)
        {
            try
            {
                await beforeTeardown.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.AbortFailed(_logger, ex);
            }
        }

        run.DisconnectCts.Cancel();
        if (attempt != null)
        {
            await ReleaseAsync(attempt).ConfigureAwait(false);
        }

        if (run.OwnsHttpClient && run.Descriptor.HttpClient is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>Abandons a transport attempt: its reports are ignored from now on, its session is stopped and released.</summary>
    private async Task ReleaseAsync(TransportAttempt attempt)
    {
        attempt.Retire();
        try
        {
            await attempt.Session.StopAsync().ConfigureAwait(false);
            if (attempt.Session.Completion.IsCompleted)
            {
                attempt.Session.Dispose();
            }
        }
        catch (Exception ex)
        {
            Log.TransportStopFailed(_logger, ex);
        }
    }
}
