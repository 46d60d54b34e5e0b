using Tether.Server;

namespace Tether.Tests.Utils.Chaos;

/// <summary>What the server saw of one connection during a chaos run.</summary>
public sealed class ChaosConnectionRecord
{
    /// <summary>How often <c>OnConnected</c> ran.</summary>
    public int Connected { get; internal set; }

    /// <summary>How often <c>OnReconnected</c> ran.</summary>
    public int Reconnected { get; internal set; }

    /// <summary>How often <c>OnDisconnected</c> ran.</summary>
    public int Disconnected { get; internal set; }

    /// <summary>The numbered messages received from the client, in arrival order.</summary>
    public List<int> Received { get; } = [];
}

/// <summary>The server side of a chaos run: every event of <see cref="ChaosConnection"/>, by connection id.</summary>
public sealed class ChaosLog
{
    private readonly object _lock = new();
    private readonly Dictionary<string, ChaosConnectionRecord> _records = [];
    private readonly Dictionary<string, TaskCompletionSource> _disconnected = [];

    /// <summary>A copy of what the server saw of <paramref name="connectionId"/>.</summary>
    public ChaosConnectionRecord Get(string connectionId)
    {
        lock (_lock)
        {
            var record = Record(connectionId);
            var copy = new ChaosConnectionRecord { Connected = record.Connected, Reconnected = record.Reconnected, Disconnected = record.Disconnected };
            copy.Received.AddRange(record.Received);
            return copy;
        }
    }

    /// <summary>Completes once <c>OnDisconnected</c> has run for <paramref name="connectionId"/>.</summary>
    public Task WhenDisconnected(string connectionId)
    {
        lock (_lock)
        {
            return Waiter(connectionId).Task;
        }
    }

    internal void Update(string connectionId, Action<ChaosConnectionRecord> change)
    {
        lock (_lock)
        {
            var record = Record(connectionId);
            change(record);
            if (record.Disconnected > 0)
            {
                Waiter(connectionId).TrySetResult();
            }
        }
    }

    private ChaosConnectionRecord Record(string connectionId)
    {
        if (!_records.TryGetValue(connectionId, out var record))
        {
            record = new ChaosConnectionRecord();
            _records.Add(connectionId, record);
        }

        return record;
    }

    private TaskCompletionSource Waiter(string connectionId)
    {
        if (!_disconnected.TryGetValue(connectionId, out var tcs))
        {
            tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _disconnected.Add(connectionId, tcs);
        }

        return tcs;
    }
}

/// <summary>
/// Counts every lifecycle event per connection in <see cref="ChaosLog"/> and records the numbered messages clients send
/// (<c>c17</c>); it sends nothing back, so the server-to-client stream holds only what the chaos driver sends.
/// </summary>
public sealed class ChaosConnection(ChaosLog log) : PersistentConnection
{
    /// <summary>The prefix of the numbered messages a client sends.</summary>
    public const string ClientPrefix = "c";

    protected override Task OnConnected(IRequest request, string connectionId)
    {
        log.Update(connectionId, r => r.Connected++);
        return Task.CompletedTask;
    }

    protected override Task OnReconnected(IRequest request, string connectionId)
    {
        log.Update(connectionId, r => r.Reconnected++);
        return Task.CompletedTask;
    }

    protected override Task OnReceived(IRequest request, string connectionId, string? data)
    {
        if (data is not null && data.StartsWith(ClientPrefix, StringComparison.Ordinal) && int.TryParse(data.AsSpan(ClientPrefix.Length), out int n))
        {
            log.Update(connectionId, r => r.Received.Add(n));
        }

        return Task.CompletedTask;
    }

    protected override Task OnDisconnected(IRequest request, string connectionId, bool stopCalled)
    {
        log.Update(connectionId, r => r.Disconnected++);
        return Task.CompletedTask;
    }
}
