using System.Collections.Concurrent;

namespace Tether.Tests.Utils;

/// <summary>What a test connection saw.</summary>
public enum ConnectionEventKind
{
    Connected,
    Reconnected,
    Received,
    Disconnected,
}

/// <summary>One server-side event of a test connection.</summary>
public sealed record ConnectionEvent(ConnectionEventKind Kind, string ConnectionId, string? Data = null, bool StopCalled = false);

/// <summary>Records the server-side events of <see cref="EventsConnection"/> and lets tests await them without sleeping.</summary>
public sealed class ConnectionEventLog
{
    private readonly object _lock = new();
    private readonly List<ConnectionEvent> _events = [];
    private readonly List<(Func<ConnectionEvent, bool> Match, TaskCompletionSource<ConnectionEvent> Tcs)> _waiters = [];

    public IReadOnlyList<ConnectionEvent> Snapshot()
    {
        lock (_lock)
        {
            return _events.ToArray();
        }
    }

    public IReadOnlyList<ConnectionEvent> For(string connectionId) => Snapshot().Where(e => e.ConnectionId == connectionId).ToArray();

    public void Add(ConnectionEvent e)
    {
        List<TaskCompletionSource<ConnectionEvent>> done = [];
        lock (_lock)
        {
            _events.Add(e);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(e))
                {
                    done.Add(_waiters[i].Tcs);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var tcs in done)
        {
            tcs.TrySetResult(e);
        }
    }

    /// <summary>Completes with the first event (already recorded or future) that matches.</summary>
    public Task<ConnectionEvent> WaitFor(Func<ConnectionEvent, bool> match)
    {
        lock (_lock)
        {
            var existing = _events.FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            var tcs = new TaskCompletionSource<ConnectionEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, tcs));
            return tcs.Task;
        }
    }

    public Task<ConnectionEvent> WaitFor(ConnectionEventKind kind, string connectionId) =>
        WaitFor(e => e.Kind == kind && e.ConnectionId == connectionId);
}
