using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>
/// Tracks the live receive request of every connection and runs the one heartbeat (on <see cref="TimeProvider"/>) that
/// sends keep-alives, ends long polls at ConnectionTimeout, and disconnects connections that have had no receive request
/// for DisconnectTimeout plus a threshold (PROTOCOL.md §11, P14). Guarantees <c>OnDisconnected</c> once per connection.
/// </summary>
internal sealed partial class ConnectionTracker : IHostedService, IDisposable
{
    /// <summary>Classic grace period for streaming transports, added to DisconnectTimeout.</summary>
    private static readonly TimeSpan s_streamingDisconnectThreshold = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, TrackedConnection> _connections = new(StringComparer.Ordinal);

    // Connections that have been disconnected, with the timestamp after which the id is forgotten. A late receive
    // request for one of them is refused, so OnDisconnected cannot fire twice (PROTOCOL.md P12).
    private readonly ConcurrentDictionary<string, long> _disconnected = new(StringComparer.Ordinal);
    private readonly PersistentConnectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ConnectionTracker> _logger;
    private readonly IMessageBus? _bus;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _heartbeat;
    private long _ticks;

    public ConnectionTracker(IOptions<PersistentConnectionOptions> options, TimeProvider time, ILogger<ConnectionTracker> logger, IHostApplicationLifetime? lifetime = null, IMessageBus? bus = null)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _bus = bus;
        lifetime?.ApplicationStopping.Register(static s => ((ConnectionTracker)s!).EndAllForShutdown(), this);
    }

    /// <summary>This node's random id in <see cref="CommandType.Moved"/> commands.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Whether the connection is tracked here (live, or waiting for a reconnect).</summary>
    public bool IsTracked(string connectionId) => _connections.ContainsKey(connectionId);

    /// <summary>How many connections are tracked (live or waiting for a reconnect).</summary>
    public int Count => _connections.Count;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _heartbeat ??= RunHeartbeatAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        EndAllForShutdown();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_heartbeat is { } heartbeat)
        {
            await heartbeat.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>
    /// Makes <paramref name="session"/> the live receive request of its connection, ending the one it replaces.
    /// </summary>
    /// <returns><see langword="false"/> when the connection was already disconnected; the caller must refuse the request.</returns>
    public bool TryAttach(ReceiveSession session, IDisconnectHandler owner, Func<RequestSnapshot> snapshot)
    {
        if (_disconnected.ContainsKey(session.ConnectionId))
        {
            return false;
        }

        while (true)
        {
            var entry = _connections.GetOrAdd(session.ConnectionId, static (_, a) => new TrackedConnection(a.owner, a.snapshot()), (owner, snapshot));
            ReceiveSession? replaced;
            lock (entry)
            {
                if (entry.Removed)
                {
                    // Lost a race with the heartbeat removing it; the tombstone decides.
                    if (_disconnected.ContainsKey(session.ConnectionId))
                    {
                        return false;
                    }

                    continue;
                }

                replaced = entry.Live;
                entry.Live = session;
                entry.LastActive = _time.GetTimestamp();
                entry.LastWasLongPolling = session.IsLongPolling;
            }

            if (replaced is not null && !ReferenceEquals(replaced, session))
            {
                replaced.End(ReceiveEndReason.Replaced);
            }

            return true;
        }
    }

    /// <summary>Records that <paramref name="session"/> has ended; the disconnect countdown starts if nothing replaced it.</summary>
    public void Detach(ReceiveSession session)
    {
        if (!_connections.TryGetValue(session.ConnectionId, out var entry))
        {
            return;
        }

        lock (entry)
        {
            if (ReferenceEquals(entry.Live, session))
            {
                entry.Live = null;
                entry.LastActive = _time.GetTimestamp();
                entry.UnconsumedFrom = session.UnconsumedFrom ?? entry.UnconsumedFrom;
            }
        }
    }

    /// <summary>
    /// Handles a client's stop: ends its live receive request and forgets the connection.
    /// </summary>
    /// <returns><see langword="true"/> when the caller must raise <c>OnDisconnected(stopCalled: true)</c>; <see langword="false"/> if it was already raised.</returns>
    public bool MarkStopped(string connectionId)
    {
        if (!TryMarkDisconnected(connectionId))
        {
            return false;
        }

        RemoveAndEndAborted(connectionId);
        return true;
    }

    /// <summary>Ends the live receive request of a connection that was stopped on another node (an abort command).</summary>
    public void EndAborted(string connectionId)
    {
        TryMarkDisconnected(connectionId);
        RemoveAndEndAborted(connectionId);
    }

    private void RemoveAndEndAborted(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var entry))
        {
            return;
        }

        ReceiveSession? live;
        lock (entry)
        {
            entry.Removed = true;
            live = entry.Live;
            entry.Live = null;
        }

        live?.End(ReceiveEndReason.Aborted);
    }

    /// <summary>One heartbeat: keep-alives, long-poll timeouts, disconnects. Public for tests driven by a fake clock.</summary>
    public void Beat()
    {
        long now = _time.GetTimestamp();
        bool sendKeepAlives = _options.KeepAlive is not null && (Interlocked.Increment(ref _ticks) % 2 == 0);
        List<TrackedConnection>? disconnected = null;

        foreach (var (id, entry) in _connections)
        {
            ReceiveSession? timedOut = null;
            ReceiveSession? keepAlive = null;
            bool remove = false;
            lock (entry)
            {
                if (entry.Removed)
                {
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
                    var threshold = entry.LastWasLongPolling ? _options.LongPollDelay : s_streamingDisconnectThreshold;
                    if (_time.GetElapsedTime(entry.LastActive, now) >= _options.DisconnectTimeout + threshold)
                    {
                        entry.Removed = true;
                        remove = true;
                    }
                }
            }

            timedOut?.End(ReceiveEndReason.TimedOut);
            keepAlive?.RequestKeepAlive();
            if (remove)
            {
                _connections.TryRemove(new KeyValuePair<string, TrackedConnection>(id, entry));
                if (TryMarkDisconnected(id))
                {
                    (disconnected ??= []).Add(entry);
                    entry.ConnectionId = id;
                }
            }
        }

        foreach (var (id, forgetAt) in _disconnected)
        {
            if (now >= forgetAt)
            {
                _disconnected.TryRemove(new KeyValuePair<string, long>(id, forgetAt));
            }
        }

        if (disconnected is not null)
        {
            foreach (var entry in disconnected)
            {
                _ = RaiseTimedOutAsync(entry);
            }
        }
    }

    private async Task RaiseTimedOutAsync(TrackedConnection entry)
    {
        await Task.Yield();
        try
        {
            switch (FindServedElsewhere(entry))
            {
                case CommandType.Abort:
                    // Another node served its /abort and raised OnDisconnected(stopCalled: true) already (P12: once).
                    Log.StoppedElsewhere(_logger, entry.ConnectionId);
                    return;
                case CommandType.Moved:
                    // The client goes on with another node, which raises the event when it ends; it may come back here.
                    _disconnected.TryRemove(entry.ConnectionId, out _);
                    Log.MovedElsewhere(_logger, entry.ConnectionId);
                    return;
                default:
                    break;
            }

            Log.DisconnectedAfterTimeout(_logger, entry.ConnectionId);
            await entry.Owner.RaiseDisconnectedAsync(entry.Snapshot, entry.ConnectionId, stopCalled: false).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.DisconnectHandlerFailed(_logger, entry.ConnectionId, ex);
        }
    }

    /// <summary>
    /// Whether the connection went on through another node of a scale-out cluster while no receive request of it was
    /// live here: an abort command (the client stopped through that node) or a moved command of another node on its
    /// topic, after what its last receive request here may have consumed.
    /// </summary>
    /// <returns><see cref="CommandType.Abort"/>, <see cref="CommandType.Moved"/>, or <see langword="null"/>.</returns>
    private CommandType? FindServedElsewhere(TrackedConnection entry)
    {
        if (_bus is null || entry.UnconsumedFrom is not { } cursor)
        {
            return null;
        }

        using var subscription = _bus.Subscribe([Topics.ForConnection(entry.ConnectionId)], cursor, static () => { });
        var batch = new List<Message>();
        CommandType? found = null;

        // Bounded: the topic buffer holds at most DefaultMessageBufferSize messages past the cursor.
        for (int reads = 0; reads < 16 && subscription.Read(batch, Math.Max(1, _options.DefaultMessageBufferSize)) > 0; reads++)
        {
            foreach (var message in batch)
            {
                switch (message.Command)
                {
                    case { Type: CommandType.Abort }:
                        return CommandType.Abort;
                    case { Type: CommandType.Moved } moved when !string.Equals(moved.Value, NodeId, StringComparison.Ordinal):
                        found = CommandType.Moved;
                        break;
                    default:
                        break;
                }
            }

            batch.Clear();
        }

        return found;
    }

    private bool TryMarkDisconnected(string connectionId)
    {
        // Remember the id long enough for any client to have given up reconnecting (TopicTtl > DisconnectTimeout).
        long forgetAt = _time.GetTimestamp() + (long)(_options.TopicTtl.TotalSeconds * _time.TimestampFrequency);
        return _disconnected.TryAdd(connectionId, forgetAt);
    }

    private void EndAllForShutdown()
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

    private async Task RunHeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    Beat();
                }
                catch (Exception ex)
                {
                    Log.HeartbeatFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private sealed class TrackedConnection(IDisconnectHandler owner, RequestSnapshot snapshot)
    {
        public IDisconnectHandler Owner { get; } = owner;

        public RequestSnapshot Snapshot { get; } = snapshot;

        public string ConnectionId { get; set; } = string.Empty;

        public ReceiveSession? Live { get; set; }

        /// <summary>Where the last receive request's unconsumed messages begin: where to look for another node's commands.</summary>
        public string? UnconsumedFrom { get; set; }

        public long LastActive { get; set; }

        public bool LastWasLongPolling { get; set; }

        public bool Removed { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Connection {ConnectionId} had no receive request for the disconnect timeout; raising OnDisconnected.", EventName = "DisconnectedAfterTimeout")]
        public static partial void DisconnectedAfterTimeout(ILogger logger, string connectionId);

        [LoggerMessage(2, LogLevel.Error, "OnDisconnected failed for connection {ConnectionId}.", EventName = "DisconnectHandlerFailed")]
        public static partial void DisconnectHandlerFailed(ILogger logger, string connectionId, Exception exception);

        [LoggerMessage(3, LogLevel.Error, "The heartbeat failed.", EventName = "HeartbeatFailed")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception);

        [LoggerMessage(4, LogLevel.Debug, "Connection {ConnectionId} was stopped through another node; no OnDisconnected here.", EventName = "StoppedElsewhere")]
        public static partial void StoppedElsewhere(ILogger logger, string connectionId);

        [LoggerMessage(5, LogLevel.Debug, "Connection {ConnectionId} moved to another node; no OnDisconnected here.", EventName = "MovedElsewhere")]
        public static partial void MovedElsewhere(ILogger logger, string connectionId);
    }
}
