using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Messaging;

namespace Tether.Server.Tests.Lifecycle;

/// <summary>Records its events in the <see cref="ConnectionEventLog"/>, with the request's <c>tag</c> query value as data.</summary>
public sealed class TaggedConnection(ConnectionEventLog log) : PersistentConnection
{
    protected internal override Task OnDisconnected(IRequest request, string connectionId, bool stopCalled)
    {
        log.Add(new ConnectionEvent(ConnectionEventKind.Disconnected, connectionId, request.QueryString["tag"], stopCalled));
        return Task.CompletedTask;
    }
}

/// <summary>Every event override returns a null task, as the classic project's own test connections do.</summary>
public sealed class NullTaskConnection(ConnectionEventLog log) : PersistentConnection
{
    protected internal override Task OnConnected(IRequest request, string connectionId)
    {
        log.Add(new ConnectionEvent(ConnectionEventKind.Connected, connectionId));
        return null!;
    }

    protected internal override Task OnReconnected(IRequest request, string connectionId)
    {
        log.Add(new ConnectionEvent(ConnectionEventKind.Reconnected, connectionId));
        return null!;
    }

    protected internal override Task OnReceived(IRequest request, string connectionId, string? data)
    {
        log.Add(new ConnectionEvent(ConnectionEventKind.Received, connectionId, data));
        return null!;
    }

    protected internal override Task OnDisconnected(IRequest request, string connectionId, bool stopCalled)
    {
        log.Add(new ConnectionEvent(ConnectionEventKind.Disconnected, connectionId, StopCalled: stopCalled));
        return null!;
    }

    protected internal override Task<IList<string>> OnRejoiningGroups(IRequest request, IList<string> groups, string connectionId) => null!;
}

/// <summary>
/// A fault injector around the in-process bus: while <see cref="Unavailable"/> is set, publishing fails the way a
/// backplane that is down fails, with <see cref="MessageBusUnavailableException"/>.
/// </summary>
public sealed class FailingBus(InMemoryMessageBus inner) : IMessageBus
{
    private volatile bool _unavailable;

    public bool Unavailable
    {
        get => _unavailable;
        set => _unavailable = value;
    }

    public ValueTask PublishAsync(Message message, CancellationToken cancellationToken = default) =>
        _unavailable ? ValueTask.FromException(new MessageBusUnavailableException()) : inner.PublishAsync(message, cancellationToken);

    public ulong GetNextId(string topic) => inner.GetNextId(topic);

    public IMessageSubscription Subscribe(IEnumerable<string> topics, string? cursor, Action onMessagesAvailable) =>
        inner.Subscribe(topics, cursor, onMessagesAvailable);
}

internal static class LifecycleServer
{
    /// <summary>A test server that also maps <c>/tagged</c> and <c>/null</c>.</summary>
    public static Task<TestServer> StartAsync(Action<PersistentConnectionOptions>? configure = null, Action<IServiceCollection>? services = null) =>
        TestServer.StartAsync(configure, services, app =>
        {
            app.MapPersistentConnection<TaggedConnection>("/tagged");
            app.MapPersistentConnection<NullTaskConnection>("/null");
        });

    /// <summary>Orders the server's event processing after everything before it: another connection's full start.</summary>
    public static async Task BarrierAsync(TestServer server)
    {
        using var other = new Conformance.ProtocolClient(server, "/events");
        await other.ConnectLongPollingAsync();
        await server.Events.WaitFor(ConnectionEventKind.Connected, other.ConnectionId).DefaultTimeout();
    }
}
