using Tether.Server;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>The CLI's <c>/echo</c>: replies to the sender; counts its connection events.</summary>
internal sealed class EchoAttackConnection(EventCounts counts) : PersistentConnection
{
    protected override Task OnConnected(IRequest request, string connectionId) => counts.Connected(EventCounts.Echo);

    protected override Task OnDisconnected(IRequest request, string connectionId, bool stopCalled) => counts.Disconnected(EventCounts.Echo);

    protected override Task OnReceived(IRequest request, string connectionId, string? data) => Connection.Send(connectionId, data);
}

/// <summary>The CLI's <c>/broadcast</c>: sends each message to every connection; counts its connection events.</summary>
internal sealed class BroadcastAttackConnection(EventCounts counts) : PersistentConnection
{
    protected override Task OnConnected(IRequest request, string connectionId) => counts.Connected(EventCounts.Broadcast);

    protected override Task OnDisconnected(IRequest request, string connectionId, bool stopCalled) => counts.Disconnected(EventCounts.Broadcast);

    protected override Task OnReceived(IRequest request, string connectionId, string? data) => Connection.Broadcast(data);
}

/// <summary>OnConnected and OnDisconnected counts per endpoint.</summary>
internal sealed class EventCounts
{
    public const int Echo = 0;
    public const int Broadcast = 1;

    private readonly int[] _connected = new int[2];
    private readonly int[] _disconnected = new int[2];

    public int ConnectedCount(int endpoint) => Volatile.Read(ref _connected[endpoint]);

    public int DisconnectedCount(int endpoint) => Volatile.Read(ref _disconnected[endpoint]);

    public Task Connected(int endpoint)
    {
        Interlocked.Increment(ref _connected[endpoint]);
        return Task.CompletedTask;
    }

    public Task Disconnected(int endpoint)
    {
        Interlocked.Increment(ref _disconnected[endpoint]);
        return Task.CompletedTask;
    }

    /// <summary>e.g. <c>echo 1/1, broadcast 0/0</c> (OnConnected/OnDisconnected).</summary>
    public override string ToString() =>
        $"echo {ConnectedCount(Echo)}/{DisconnectedCount(Echo)}, broadcast {ConnectedCount(Broadcast)}/{DisconnectedCount(Broadcast)}";
}
