using Tether.Server;

namespace Tether.Tests.Utils;

/// <summary>Replies to the sender with exactly the data it received.</summary>
public sealed class EchoConnection : PersistentConnection
{
    protected override Task OnReceived(IRequest request, string connectionId, string? data) => Connection.Send(connectionId, data);
}

/// <summary>Sends each message to every connection.</summary>
public sealed class BroadcastConnection : PersistentConnection
{
    protected override Task OnReceived(IRequest request, string connectionId, string? data) => Connection.Broadcast(data);
}

/// <summary>
/// A small command language over the data: <c>join:G</c> and <c>leave:G</c> change membership and answer
/// <c>joined:G</c> / <c>left:G</c> to the sender; <c>to:G:TEXT</c> sends TEXT to group G; <c>others:G:TEXT</c> sends to
/// group G except the sender; <c>all:TEXT</c> broadcasts.
/// </summary>
public sealed class GroupsConnection : PersistentConnection
{
    protected override async Task OnReceived(IRequest request, string connectionId, string? data)
    {
        data ??= string.Empty;
        if (data.StartsWith("join:", StringComparison.Ordinal))
        {
            string group = data["join:".Length..];
            await Groups.Add(connectionId, group);
            await Connection.Send(connectionId, "joined:" + group);
        }
        else if (data.StartsWith("leave:", StringComparison.Ordinal))
        {
            string group = data["leave:".Length..];
            await Groups.Remove(connectionId, group);
            await Connection.Send(connectionId, "left:" + group);
        }
        else if (data.StartsWith("to:", StringComparison.Ordinal))
        {
            string[] parts = data.Split(':', 3);
            await Groups.Send(parts[1], parts[2]);
        }
        else if (data.StartsWith("others:", StringComparison.Ordinal))
        {
            string[] parts = data.Split(':', 3);
            await Groups.Send(parts[1], parts[2], connectionId);
        }
        else if (data.StartsWith("all:", StringComparison.Ordinal))
        {
            await Connection.Broadcast(data["all:".Length..]);
        }
    }
}

/// <summary>Records every server-side event in <see cref="ConnectionEventLog"/> and echoes data back.</summary>
public sealed class EventsConnection(ConnectionEventLog log) : PersistentConnection
{
    protected override Task OnConnected(IRequest request, string connectionId)
    {
        log.Add(new ConnectionEvent(ConnectionEventKind.Connected, connectionId));
        return Task.CompletedTask;
    }

    protected override Task OnReconnected(IRequest request, string connectionId)
    {
        log.Add(new ConnectionEvent(ConnectionEventKind.Reconnected, connectionId));
        return Task.CompletedTask;
    }

    protected override Task OnReceived(IRequest request, string connectionId, string? data)
    {
        log.Add(new ConnectionEvent(ConnectionEventKind.Received, connectionId, data));
        return Connection.Send(connectionId, data);
    }

    protected override Task OnDisconnected(IRequest request, string connectionId, bool stopCalled)
    {
        log.Add(new ConnectionEvent(ConnectionEventKind.Disconnected, connectionId, StopCalled: stopCalled));
        return Task.CompletedTask;
    }
}
