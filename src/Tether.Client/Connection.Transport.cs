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
    /// <summary>Whether a transport attempt's reports still count: its run is current and open, and it is the run's attempt.</summary>
    private bool IsLiveLocked(TransportHost host) =>
        _run == host.Run && !host.Run.Closed && host.Run.ActiveHost == host && !host.Retired;

    internal bool IsReconnectingFor(TransportHost host)
    {
        lock (_lock)
        {
            return IsLiveLocked(host) && _state == ConnectionState.Reconnecting;
        }
    }

    internal UrlParts UrlPartsFor(ConnectionRun run, string? transport, bool receive)
    {
        lock (_lock)
        {
            return new UrlParts(
                run.BaseUrl,
                Protocol.ToString(),
                transport,
                run.ConnectionData,
                _connectionToken,
                run.QueryString,
                receive ? _messageId : null,
                receive ? _groupsToken : null);
        }
    }

    internal string BuildReceiveUrl(TransportHost host, ReceiveKind kind)
    {
        UrlParts parts = UrlPartsFor(host.Run, host.Session.Name, receive: true);
        return kind switch
        {
            ReceiveKind.Connect => UrlBuilder.Connect(parts),
            ReceiveKind.Reconnect => UrlBuilder.Reconnect(parts),
            _ => UrlBuilder.Poll(parts),
        };
    }

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

    internal void OnTransportError(TransportHost host, Exception error)
    {
        lock (_lock)
        {
            if (!IsLiveLocked(host))
            {
                return;
            }
        }

        RaiseError(host.Run, error);
    }

    internal bool OnPayload(TransportHost host, ReadOnlySpan<byte> utf8Json)
    {
        host.MarkLastMessage();
        PersistentResponse response;
        try
        {
            response = PersistentResponse.Parse(utf8Json);
        }
        catch (FormatException ex)
        {
            OnTransportError(host, ex);
            return false;
        }

        if (response.IsKeepAlive)
        {
            return false;
        }

        if ((TraceLevel & TraceLevels.Messages) != 0 && _syncTraceWriter != System.IO.TextWriter.Null)
        {
            Trace(TraceLevels.Messages, "OnMessage({0})", Utf8(utf8Json));
        }

        if (response.IsHubResult)
        {
            EnqueueArrived(host, Utf8(utf8Json));
            return false;
        }

        if (response.Error != null)
        {
            // A global error: raise it and close, without /abort.
            var error = new InvalidOperationException(string.Format(CultureInfo.CurrentCulture, Resources.ErrorFromServer, response.Error));
            OnTransportError(host, error);
            Disconnect(host.Run, error);
            return false;
        }

        List<DispatchItem>? items = null;
        if (response.Messages is { } messages)
        {
            items = new List<DispatchItem>(messages.Count);
            foreach (string raw in messages)
            {
                if (OnMessageArrived(raw) is { } item)
                {
                    items.Add(item);
                }
            }
        }

        bool init = false;
        lock (_lock)
        {
            if (!IsLiveLocked(host))
            {
                return false;
            }

            if (response.HasGroupsToken)
            {
                _groupsToken = response.GroupsToken;
            }

            if (items != null)
            {
                _messageId = response.Cursor;
                EnqueueLocked(host.Run, items);
                init = response.Initialized;
            }
        }

        if (init)
        {
            host.OnInitReceived();
        }

        return response.ShouldReconnect;
    }

    internal void OnSendResponse(TransportHost host, string body) => EnqueueArrived(host, body);

    private void EnqueueArrived(TransportHost host, string raw)
    {
        if (OnMessageArrived(raw) is not { } item)
        {
            return;
        }

        lock (_lock)
        {
            if (IsLiveLocked(host))
            {
                EnqueueLocked(host.Run, [item]);
            }
        }
    }

    private void EnqueueLocked(ConnectionRun run, List<DispatchItem> items)
    {
        if (run.Buffering)
        {
            run.Pending.AddRange(items);
            return;
        }

        foreach (DispatchItem item in items)
        {
            _dispatcher.Post(item);
        }
    }

    internal bool EnsureReconnecting(TransportHost host)
    {
        lock (_lock)
        {
            if (!IsLiveLocked(host))
            {
                return false;
            }

            if (_state == ConnectionState.Connected)
            {
                ConnectionRun run = host.Run;
                SetStateLocked(ConnectionState.Reconnecting);
                OnConnectionLost(closed: false);
                _dispatcher.Post(DispatchItem.Event(DispatchKind.Reconnecting));
                run.ConnectedGate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                run.ReconnectEpisode++;
                run.GiveUpTimer?.Dispose();
                int episode = run.ReconnectEpisode;
                run.GiveUpTimer = TimeProvider.CreateTimer(
                    static s => ((GiveUpState)s!).Fire(), new GiveUpState(this, run, episode), run.DisconnectTimeout, Timeout.InfiniteTimeSpan);
            }

            return _state == ConnectionState.Reconnecting;
        }
    }

    internal void OnReconnected(TransportHost host)
    {
        TaskCompletionSource<bool> gate;
        lock (_lock)
        {
            if (!IsLiveLocked(host) || _state != ConnectionState.Reconnecting || host.Run.Retrying)
            {
                return;
            }

            ConnectionRun run = host.Run;
            SetStateLocked(ConnectionState.Connected);
            _dispatcher.Post(DispatchItem.Event(DispatchKind.Reconnected));
            run.GiveUpTimer?.Dispose();
            run.GiveUpTimer = null;
            run.Monitor?.ClearFlags();
            Interlocked.Exchange(ref run.LastMessageAt, TimeProvider.GetTimestamp());
            gate = run.ConnectedGate;
        }

        gate.TrySetResult(true);
    }

    internal bool VerifyLastActive(TransportHost host)
    {
        TimeSpan window;
        long lastActive;
        lock (_lock)
        {
            if (!IsLiveLocked(host))
            {
                return false;
            }

            window = host.Run.ReconnectWindow;
            lastActive = host.Run.LastActiveAt;
        }

        if (TimeProvider.GetElapsedTime(lastActive) < window)
        {
            return true;
        }

        StopForInactivity(host.Run, lastActive, window);
        return false;
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
                        lost = run.ActiveHost?.Session;
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
        TransportHost? host;
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
            host = run.ActiveHost;
            run.ShutdownTask = ShutdownAsync(run, host, beforeTeardown);
        }

        // Sends still waiting fail now; the transport goes once the abort is done.
        run.ConnectedGate.TrySetResult(false);
        run.Sends.Writer.TryComplete();
        Log.Closed(_logger, reason);
        Trace(TraceLevels.Events, "Closed");
        return true;
    }

    private async Task ShutdownAsync(ConnectionRun run, TransportHost? host, Task? beforeTeardown)
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
        if (host != null)
        {
            await ReleaseAsync(host).ConfigureAwait(false);
        }

        if (run.OwnsHttpClient && run.Descriptor.HttpClient is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>Abandons a transport attempt: its reports are ignored from now on, its session is stopped and released.</summary>
    private async Task ReleaseAsync(TransportHost host)
    {
        host.Retire();
        try
        {
            await host.Session.StopAsync().ConfigureAwait(false);
            if (host.Session.Completion.IsCompleted)
            {
                host.Session.Dispose();
            }
        }
        catch (Exception ex)
        {
            Log.TransportStopFailed(_logger, ex);
        }
    }

    private static string Utf8(ReadOnlySpan<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes.ToArray());

    private sealed class GiveUpState(Connection connection, ConnectionRun run, int episode)
    {
        public void Fire() => connection.OnGiveUp(run, episode);
    }
}
