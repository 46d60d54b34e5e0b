using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tether.Server.Diagnostics;
using Tether.Server.Internal.Transports;
using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>
/// The one owner of every connection's lifecycle on this node, keyed by connection type and id: moves each connection
/// through its states (negotiated, connected, reconnecting, stopped or timed out), keeps the tombstone of an ended one,
/// and raises and awaits the <c>OnDisconnected</c> handlers, so each is raised once and shutdown can wait for them.
/// </summary>
internal sealed partial class ConnectionManager
{
    /// <summary>Classic grace period for streaming transports, added to DisconnectTimeout.</summary>
    private static readonly TimeSpan s_streamingDisconnectThreshold = TimeSpan.FromSeconds(5);

    /// <summary>Stands in for the last receive request of a connection that had none (never expected).</summary>
    private static readonly RequestSnapshot s_noRequest = new(new Uri("http://localhost/"), "/", new Microsoft.AspNetCore.Http.QueryCollection(), new System.Security.Claims.ClaimsPrincipal());

    private readonly ConcurrentDictionary<ConnectionKey, ManagedConnection> _connections = new();
    private readonly ConcurrentDictionary<Task, bool> _handlers = new();
    private readonly PersistentConnectionOptions _options;
    private readonly TimeProvider _time;
    private readonly IMessageBus _bus;
    private readonly ServedElsewhereProbe _probe;
    private readonly ILogger<ConnectionManager> _logger;
    private readonly TetherServerMetrics _metrics;
    private long _ticks;

    public ConnectionManager(IOptions<PersistentConnectionOptions> options, TimeProvider time, IMessageBus bus, ILogger<ConnectionManager> logger, TetherServerMetrics metrics)
    {
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _bus = bus;
        _logger = logger;
        _probe = new ServedElsewhereProbe(bus, NodeId, _options.DefaultMessageBufferSize);
    }

    /// <summary>This node's random id in <see cref="CommandType.Moved"/> and <see cref="CommandType.Abort"/> commands.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>How many connections this node keeps, tombstones included.</summary>
    public int Count => _connections.Count;

    /// <summary>How many <c>OnDisconnected</c> handlers are running.</summary>
    public int RunningHandlers => _handlers.Count;

    /// <summary>The state of a connection on this node.</summary>
    public ConnectionState StateOf(ConnectionKey key)
    {
        if (!_connections.TryGetValue(key, out var entry))
        {
            return ConnectionState.Negotiated;
        }

        lock (entry)
        {
            return entry.Forgotten ? ConnectionState.Negotiated : entry.State;
        }
    }

    /// <summary>
    /// Makes <paramref name="session"/> the live receive request of its connection, ending the one it replaces
    /// gracefully. The first receive request establishes the connection.
    /// </summary>
    /// <returns>
    /// <see cref="AttachOutcome.Arrived"/> when the client comes from another node (a new connection here that does not
    /// connect, or one whose cursor this node did not hand out): the caller announces it, so that node lets it go.
    /// </returns>
    public AttachOutcome Attach(ConnectionKey key, ReceiveSession session, IConnectionEvents events, IRequest request, bool isConnect)
    {
        string? cursor = session.StartCursor;
        while (true)
        {
            var entry = _connections.GetOrAdd(key, static (k, a) => new ManagedConnection(k, a.events, a.now), (events, now: _time.GetTimestamp()));
            ReceiveSession? replaced;
            bool established;
            bool returned;
            bool arrived;
            lock (entry)
            {
                if (entry.Forgotten)
                {
                    continue;
                }

                switch (entry.State)
                {
                    case ConnectionState.Stopped:
                        return AttachOutcome.Stopped;
                    case ConnectionState.TimedOut:
                        return AttachOutcome.TimedOut;
                    default:
                        break;
                }

                established = entry.State == ConnectionState.Negotiated;
                _metrics.ConnectionOpened(key, request);

                // Back from another node (A -> B -> A): the client's cursor is not the last one this node gave it.
                returned = entry.State == ConnectionState.Reconnecting && !string.Equals(cursor, entry.LastSentCursor, StringComparison.Ordinal);
                replaced = entry.Live;
                entry.Live = session;
                entry.State = ConnectionState.Connected;
                entry.LastRequest = request;
                entry.LastActive = _time.GetTimestamp();
                entry.LastWasLongPolling = session.IsLongPolling;
                arrived = (established && !isConnect) || returned;
                entry.Travelled |= arrived;
            }

            if (established)
            {
                // Its topic exists from now on, so what is sent to it is kept for its next receive request.
                _bus.GetNextId(Topics.ForConnection(key.ConnectionId));
            }

            if (replaced is not null && !ReferenceEquals(replaced, session))
            {
                replaced.End(ReceiveEndReason.Replaced);
            }

            return arrived ? AttachOutcome.Arrived : AttachOutcome.Attached;
        }
    }

    /// <summary>Records that <paramref name="session"/> has ended; the disconnect countdown starts if nothing replaced it.</summary>
    public void Detach(ConnectionKey key, ReceiveSession session)
    {
        if (!_connections.TryGetValue(key, out var entry))
        {
            return;
        }

        bool ended;
        lock (entry)
        {
            if (ReferenceEquals(entry.Live, session))
            {
                entry.Live = null;
                entry.LastActive = _time.GetTimestamp();
                entry.LastRequest = Frozen(entry.LastRequest);
                entry.UnconsumedFrom = session.UnconsumedFrom ?? entry.UnconsumedFrom;
                entry.LastSentCursor = session.LastSentCursor ?? entry.LastSentCursor;
                if (entry.State == ConnectionState.Connected)
                {
                    entry.State = ConnectionState.Reconnecting;
                }
            }

            ended = entry.State.HasEnded();
        }

        if (ended)
        {
            // The request that was reading the ended connection's topic has let go of it.
            ReleaseTopic(entry);
        }
    }

    /// <summary>
    /// Records that the client started (<c>/start</c>, or <c>/connect</c> before protocol 1.4).
    /// </summary>
    /// <returns>
    /// <see cref="StartOutcome.Started"/> when the caller must raise <c>OnConnected</c> (only once, and only for a live
    /// connection); <see cref="StartOutcome.Unknown"/> when this node does not hold the connection (another node of a
    /// scale-out cluster may).
    /// </returns>
    public StartOutcome TryStart(ConnectionKey key)
    {
        if (!_connections.TryGetValue(key, out var entry))
        {
            return StartOutcome.Unknown;
        }

        lock (entry)
        {
            if (entry.Forgotten)
            {
                return StartOutcome.Unknown;
            }

            if (entry.Started || entry.State is not (ConnectionState.Connected or ConnectionState.Reconnecting))
            {
                return StartOutcome.Refused;
            }

            entry.Started = true;
            return StartOutcome.Started;
        }
    }

    /// <summary>
    /// Another node served the client's <c>/start</c> (a <see cref="CommandType.Start"/> command on the connection's
    /// topic): raises <c>OnConnected</c> here, once, with the last receive request, unless it was raised already.
    /// </summary>
    public void StartedElsewhere(ConnectionKey key)
    {
        if (!_connections.TryGetValue(key, out var entry) || TryStart(key) != StartOutcome.Started)
        {
            return;
        }

        IRequest request;
        lock (entry)
        {
            request = Frozen(entry.LastRequest) ?? s_noRequest;
        }

        Track(() => RaiseConnectedAsync(entry.Events, request, key.ConnectionId));
    }

    /// <summary>
    /// Handles the client's stop (<c>/abort</c>): ends its live receive request, keeps the tombstone, and raises
    /// <c>OnDisconnected(stopCalled: true)</c> with <paramref name="request"/>; awaits the handler.
    /// </summary>
    /// <returns>Whether this node knew the connection and raised the event; nothing is raised for an unknown or ended one.</returns>
    public async Task<bool> StopAsync(ConnectionKey key, IRequest request)
    {
        if (End(key, ConnectionState.Stopped, ReceiveEndReason.Aborted, out _) is not { } entry)
        {
            return false;
        }

        Log.Stopped(_logger, key.ConnectionId);
        await Raise(entry.Events, request, key.ConnectionId, stopCalled: true).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Handles an abort command read by a receive request: the client stopped through another node. When that node did
    /// not know the connection (<paramref name="raisedElsewhere"/> is false), this one raises <c>OnDisconnected</c>.
    /// </summary>
    public void StoppedElsewhere(ConnectionKey key, bool raisedElsewhere)
    {
        if (End(key, ConnectionState.Stopped, ReceiveEndReason.Aborted, out var lastRequest) is { } entry && !raisedElsewhere)
        {
            _ = Raise(entry.Events, lastRequest ?? s_noRequest, key.ConnectionId, stopCalled: true);
        }
    }

    /// <summary>Ends every live receive request for shutdown: the clients reconnect (to this node later, or another).</summary>
    public void EndAllForShutdown()
    {
        foreach (var entry in _connections.Values)
        {
            ReceiveSession? live;
            lock (entry)
            {
                live = entry.Live;
            }

            live?.End(ReceiveEndReason.Shutdown);
        }
    }

    /// <summary>Waits for the <c>OnDisconnected</c> handlers that are running, at most until <paramref name="cancellationToken"/>.</summary>
    public async Task DrainHandlersAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_handlers.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.HandlersStillRunning(_logger, _handlers.Count);
        }
    }

    /// <summary>One heartbeat: keep-alives, long-poll timeouts, disconnects, forgetting old tombstones.</summary>
    public void Beat()
    {
        long now = _time.GetTimestamp();
        bool sendKeepAlives = _options.KeepAlive is not null && (Interlocked.Increment(ref _ticks) % 2 == 0);
        foreach (var entry in _connections.Values)
        {
            ReceiveSession? timedOut = null;
            ReceiveSession? keepAlive = null;
            bool expired = false;
            lock (entry)
            {
                if (entry.Forgotten)
                {
                    continue;
                }

                if (entry.State.HasEnded())
                {
                    if (now >= entry.ForgetAt)
                    {
                        Forget(entry);
                    }

                    continue;
                }

                if (entry.Live is { } live)
                {
                    bool bounded = live.IsLongPolling || _options.KeepAlive is null;
                    if (bounded && _time.GetElapsedTime(live.StartedAt, now) >= _options.ConnectionTimeout)
                    {
                        timedOut = live;
                    }
                    else if (sendKeepAlives)
                    {
                        keepAlive = live;
                    }

                    entry.LastActive = now;
                }
                else
                {
                    expired = HasExpired(entry, now);
                }
            }

            timedOut?.End(ReceiveEndReason.TimedOut);
            keepAlive?.RequestKeepAlive();
            if (expired)
            {
                Track(() => ExpireAsync(entry));
            }
        }
    }

    /// <summary>
    /// What of a request may outlive it: the live request's view (kept while it is live, so an idle connection holds no
    /// copy of its URL, query or user) becomes a snapshot when the request detaches or an event handler may outlive it.
    /// Called while the request is still running.
    /// </summary>
    private static IRequest? Frozen(IRequest? request) => request is HttpRequestView view ? view.Snapshot() : request;

    private bool HasExpired(ManagedConnection entry, long now)
    {
        var threshold = entry.LastWasLongPolling ? _options.LongPollDelay : s_streamingDisconnectThreshold;
        return _time.GetElapsedTime(entry.LastActive, now) >= _options.DisconnectTimeout + threshold;
    }

    /// <summary>Ends a connection that had no receive request for too long, unless it went on through another node.</summary>
    private async Task ExpireAsync(ManagedConnection entry)
    {
        await Task.Yield();
        string? unconsumedFrom;
        lock (entry)
        {
            unconsumedFrom = entry.UnconsumedFrom;
        }

        var elsewhere = _probe.Find(entry.Key.ConnectionId, unconsumedFrom);
        IRequest? request;
        lock (entry)
        {
            // A receive request may have come back while the bus was read; then nothing ends.
            if (entry.Forgotten || entry.Live is not null || entry.State.HasEnded() || !HasExpired(entry, _time.GetTimestamp()))
            {
                return;
            }

            if (elsewhere == ElsewhereOutcome.Moved)
            {
                // The client goes on with another node, which raises the event when it ends; it may come back here.
                Forget(entry);
                _metrics.ConnectionClosed(entry.Key, "moved");
                Log.MovedElsewhere(_logger, entry.Key.ConnectionId);
                return;
            }

            request = entry.LastRequest;
            EndLocked(entry, elsewhere == ElsewhereOutcome.None ? ConnectionState.TimedOut : ConnectionState.Stopped);
        }

        ReleaseTopic(entry);

        switch (elsewhere)
        {
            case ElsewhereOutcome.StoppedAndRaised:
                Log.StoppedElsewhere(_logger, entry.Key.ConnectionId);
                return;
            case ElsewhereOutcome.Stopped:
                await Raise(entry.Events, request ?? s_noRequest, entry.Key.ConnectionId, stopCalled: true).ConfigureAwait(false);
                return;
            default:
                Log.DisconnectedAfterTimeout(_logger, entry.Key.ConnectionId);
                await Raise(entry.Events, request ?? s_noRequest, entry.Key.ConnectionId, stopCalled: false).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Moves a live or reconnecting connection to an ended state and ends its receive request.</summary>
    /// <returns>The record, when this call ended it; <see langword="null"/> when it was unknown or had already ended.</returns>
    private ManagedConnection? End(ConnectionKey key, ConnectionState state, ReceiveEndReason reason, out IRequest? lastRequest)
    {
        lastRequest = null;
        if (!_connections.TryGetValue(key, out var entry))
        {
            return null;
        }

        ReceiveSession? live;
        lock (entry)
        {
            if (entry.Forgotten || entry.State is ConnectionState.Negotiated || entry.State.HasEnded())
            {
                return null;
            }

            live = entry.Live;
            lastRequest = Frozen(entry.LastRequest);
            EndLocked(entry, state);
        }

        if (live is null)
        {
            ReleaseTopic(entry);
        }

        live?.End(reason);
        return entry;
    }

    /// <summary>
    /// Drops the buffer of an ended connection's topic now rather than after the topic time to live: its tombstone
    /// refuses every later receive request, so nobody can read it. A topic still read by an ending request stays until
    /// that request detaches; the topic of a connection that moved between nodes stays for the topic time to live, as
    /// the other nodes may still look for its commands there.
    /// </summary>
    private void ReleaseTopic(ManagedConnection entry)
    {
        bool travelled;
        lock (entry)
        {
            travelled = entry.Travelled;
        }

        if (!travelled)
        {
            _bus.Release(Topics.ForConnection(entry.Key.ConnectionId));
        }
    }

    /// <summary>Writes the tombstone: the record stays, refusing receive requests, until the id is forgotten.</summary>
    private void EndLocked(ManagedConnection entry, ConnectionState state)
    {
        _metrics.ConnectionClosed(entry.Key, state == ConnectionState.TimedOut ? "timeout" : "stopped");
        entry.State = state;
        entry.Live = null;

        // The tombstone keeps only what refuses late requests: it lives for the topic time to live, so with many
        // short-lived connections whatever it held would add up.
        entry.LastRequest = null;
        entry.UnconsumedFrom = null;
        entry.LastSentCursor = null;

        // Remember the id long enough for any client to have given up reconnecting (TopicTtl > DisconnectTimeout).
        entry.ForgetAt = _time.GetTimestamp() + (long)(_options.TopicTtl.TotalSeconds * _time.TimestampFrequency);
    }

    private void Forget(ManagedConnection entry)
    {
        entry.Forgotten = true;
        _connections.TryRemove(new KeyValuePair<ConnectionKey, ManagedConnection>(entry.Key, entry));
    }
}
