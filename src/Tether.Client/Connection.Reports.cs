using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Tether.Client.Internal;
using Tether.Client.Internal.Transports;
using Tether.Protocol;

namespace Tether.Client;

public partial class Connection
{
    /// <summary>Whether message tracing is on, so that transports keep each payload's text.</summary>
    internal bool TracesMessages => (TraceLevel & TraceLevels.Messages) != 0 && _syncTraceWriter != TextWriter.Null;

    internal UrlParts UrlPartsFor(ConnectionRun run, string? transport)
    {
        lock (_lock)
        {
            return new UrlParts(
                run.BaseUrl,
                ProtocolTextLocked(),
                transport,
                run.ConnectionData,
                _connectionToken,
                run.QueryString);
        }
    }

    /// <summary>The URLs of a transport for the run's current connection token, built again only when a part changed.</summary>
    internal TransportUrls UrlsFor(ConnectionRun run, string transport)
    {
        lock (_lock)
        {
            string protocol = ProtocolTextLocked();
            TransportUrls? urls = run.Urls;
            if (urls is null || !urls.IsFor(run.BaseUrl, protocol, transport, run.ConnectionData, _connectionToken, run.QueryString))
            {
                urls = new TransportUrls(new UrlParts(run.BaseUrl, protocol, transport, run.ConnectionData, _connectionToken, run.QueryString));
                run.Urls = urls;
            }

            return urls;
        }
    }

    /// <summary><see cref="Protocol"/> as text, formatted again only when it was set to another version.</summary>
    private string ProtocolTextLocked()
    {
        Version protocol = Protocol;
        if (!ReferenceEquals(protocol, _protocolVersion) || _protocolText is null)
        {
            _protocolText = protocol.ToString();
            _protocolVersion = protocol;
        }

        return _protocolText;
    }

    /// <summary>Whether a transport attempt's reports still count: its run is current and open, and it is the run's attempt.</summary>
    private bool IsLiveLocked(TransportAttempt attempt) =>
        _run == attempt.Run && !attempt.Run.Closed && attempt.Run.ActiveAttempt == attempt && !attempt.Retired;

    private bool IsLive(TransportAttempt attempt)
    {
        lock (_lock)
        {
            return IsLiveLocked(attempt);
        }
    }

    /// <summary>
    /// The one loop that applies what a transport attempt reports, in order: cursor, groups token, messages, the start,
    /// reconnect decisions. It answers every question, also once the attempt is abandoned, until the session ends.
    /// </summary>
    private async Task ApplyReportsAsync(TransportAttempt attempt)
    {
        ChannelReader<TransportReport> reports = attempt.Session.Reports;
        while (await reports.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reports.TryRead(out TransportReport report))
            {
                try
                {
                    Apply(attempt, report);
                }
                catch (Exception ex)
                {
                    // Only a handler hook can throw here (a hub's parse of a message): report it, go on.
                    report.Query?.Reply(ReceiveTarget.No);
                    RaiseError(attempt.Run, ex);
                }
            }
        }

        TransportEnd end = await attempt.Session.Completion.ConfigureAwait(false);
        attempt.TryFailStart(end.Error ?? (end.Kind == TransportEndKind.Cancelled
            ? new OperationCanceledException(Resources.ConnectionCancelled)
            : new IOException(Resources.TransportDisconnectedBeforeConnectionFullyInitialized)));
    }

    private void Apply(TransportAttempt attempt, TransportReport report)
    {
        switch (report.Kind)
        {
            case TransportReportKind.Payload:
                ApplyPayload(attempt, report.Response!, report.Text);
                break;
            case TransportReportKind.SendAnswer:
                TraceMessage(report.Text!);
                EnqueueArrived(attempt, report.Text!);
                break;
            case TransportReportKind.Error:
                if (IsLive(attempt))
                {
                    RaiseError(attempt.Run, report.Error!);
                }

                break;
            case TransportReportKind.Restored:
                OnReconnected(attempt);
                break;
            case TransportReportKind.Query:
                report.Query!.Reply(Answer(attempt, report.Query));
                break;
        }
    }

    private ReceiveTarget Answer(TransportAttempt attempt, TransportQuery query)
    {
        switch (query.Kind)
        {
            case TransportQueryKind.ChannelEnded:
                return !attempt.TryFailStart(query.Reason!) && !attempt.Run.StopCts.IsCancellationRequested && IsLive(attempt) ? ReceiveTarget.Yes : ReceiveTarget.No;
            case TransportQueryKind.WindowOpen:
                return VerifyLastActive(attempt) ? ReceiveTarget.Yes : ReceiveTarget.No;
            case TransportQueryKind.EnterReconnecting:
                return EnsureReconnecting(attempt) ? ReceiveTarget.Yes : ReceiveTarget.No;
            default:
                return ReceiveTargetFor(attempt, query.Receive);
        }
    }

    private ReceiveTarget ReceiveTargetFor(TransportAttempt attempt, ReceiveKind kind)
    {
        if (kind == ReceiveKind.Reconnect && !(VerifyLastActive(attempt) && EnsureReconnecting(attempt)))
        {
            return ReceiveTarget.No;
        }

        lock (_lock)
        {
            if (!IsLiveLocked(attempt))
            {
                return ReceiveTarget.No;
            }

            if (kind == ReceiveKind.Poll)
            {
                kind = _messageId is null ? ReceiveKind.Connect : _state == ConnectionState.Reconnecting ? ReceiveKind.Reconnect : ReceiveKind.Poll;
            }

            TransportUrls urls = UrlsFor(attempt.Run, attempt.Session.Name);
            if (attempt.Session is LongPollingSession)
            {
                // As the JavaScript client: a URL fixed per connection token, the cursor and groups token in a form.
                return new ReceiveTarget(urls.ReceiveWithoutCursor(kind), FormUrlEncoder.EncodeReceiveBody(_messageId, _groupsToken), kind);
            }

            return new ReceiveTarget(true, urls.Receive(kind, _messageId, _groupsToken), kind);
        }
    }

    private void ApplyPayload(TransportAttempt attempt, PersistentResponse response, string? text)
    {
        if (text != null)
        {
            TraceMessage(text);
        }

        if (response.IsHubResult)
        {
            EnqueueArrived(attempt, text!);
            return;
        }

        if (response.Error != null)
        {
            // A global error: raise it and close, without /abort.
            var error = new InvalidOperationException(string.Format(CultureInfo.CurrentCulture, Resources.ErrorFromServer, response.Error));
            if (IsLive(attempt))
            {
                RaiseError(attempt.Run, error);
            }

            Disconnect(attempt.Run, error);
            return;
        }

        // The usual payload carries one message: it needs no array.
        IReadOnlyList<ReadOnlyMemory<byte>>? messages = response.Utf8Messages;
        DispatchItem? single = null;
        DispatchItem?[]? several = null;
        if (messages is { Count: 1 })
        {
            single = OnMessageArrived(messages[0]);
        }
        else if (messages is { Count: > 1 })
        {
            several = new DispatchItem?[messages.Count];
            for (int i = 0; i < several.Length; i++)
            {
                several[i] = OnMessageArrived(messages[i]);
            }
        }

        bool init = false;
        lock (_lock)
        {
            if (!IsLiveLocked(attempt))
            {
                return;
            }

            if (response.HasGroupsToken)
            {
                _groupsToken = response.GroupsToken;
            }

            if (messages != null)
            {
                _messageId = response.Cursor;
                EnqueueLocked(attempt.Run, single);
                if (several != null)
                {
                    EnqueueLocked(attempt.Run, several);
                }

                init = response.Initialized;
            }
        }

        if (init)
        {
            attempt.OnInitReceived();
        }
    }

    private void TraceMessage(string text)
    {
        if (TracesMessages)
        {
            Trace(TraceLevels.Messages, "OnMessage({0})", text);
        }
    }

    private void EnqueueArrived(TransportAttempt attempt, string raw)
    {
        if (OnMessageArrived(System.Text.Encoding.UTF8.GetBytes(raw)) is not { } item)
        {
            return;
        }

        lock (_lock)
        {
            if (IsLiveLocked(attempt))
            {
                EnqueueLocked(attempt.Run, item);
            }
        }
    }

    /// <summary>Hands messages to the dispatch loop, or keeps them while the transport is being established; <see langword="null"/> items were consumed on arrival.</summary>
    private void EnqueueLocked(ConnectionRun run, DispatchItem?[] items)
    {
        foreach (DispatchItem? item in items)
        {
            EnqueueLocked(run, item);
        }
    }

    private void EnqueueLocked(ConnectionRun run, DispatchItem? item)
    {
        if (item is null)
        {
            return;
        }

        if (run.Buffering)
        {
            run.Pending.Add(item);
        }
        else
        {
            _dispatcher.Post(item);
        }
    }

    /// <summary>Moves from Connected to Reconnecting; returns whether the connection is reconnecting now.</summary>
    private bool EnsureReconnecting(TransportAttempt attempt)
    {
        lock (_lock)
        {
            if (!IsLiveLocked(attempt))
            {
                return false;
            }

            if (_state == ConnectionState.Connected)
            {
                ConnectionRun run = attempt.Run;
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

    /// <summary>The receive channel is open again: Reconnecting to Connected (no-op in any other state).</summary>
    private void OnReconnected(TransportAttempt attempt)
    {
        TaskCompletionSource<bool> gate;
        lock (_lock)
        {
            if (!IsLiveLocked(attempt) || _state != ConnectionState.Reconnecting || attempt.Run.Retrying)
            {
                return;
            }

            ConnectionRun run = attempt.Run;
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

    /// <summary>Checks the reconnect window; when it was exceeded the connection stops and this returns <see langword="false"/>.</summary>
    private bool VerifyLastActive(TransportAttempt attempt)
    {
        TimeSpan window;
        long lastActive;
        lock (_lock)
        {
            if (!IsLiveLocked(attempt))
            {
                return false;
            }

            window = attempt.Run.ReconnectWindow;
            lastActive = attempt.Run.LastActiveAt;
        }

        if (TimeProvider.GetElapsedTime(lastActive) < window)
        {
            return true;
        }

        StopForInactivity(attempt.Run, lastActive, window);
        return false;
    }

    private sealed class GiveUpState(Connection connection, ConnectionRun run, int episode)
    {
        public void Fire() => connection.OnGiveUp(run, episode);
    }
}
