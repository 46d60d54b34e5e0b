using System.Collections.Concurrent;
using Tether.Server.Hubs;

namespace Tether.Server.Tests.Hubs;

/// <summary>The hub of the wire captures (hub "chat" at /signalr), with the same methods as the classic test server's.</summary>
[HubName("chat")]
public sealed class ChatHub : Hub
{
    public string Echo(string message) => message;

    public int Add(int a, int b) => a + b;

    public void Send(string name, string message) => Clients.All.addMessage(name, message);

    public void Fail(string message) => throw new HubException(message, new { code = 42 });

    public void Crash() => throw new InvalidOperationException("secret detail");

    public Task Join(string group) => Groups.Add(Context.ConnectionId, group);

    public Task Leave(string group) => Groups.Remove(Context.ConnectionId, group);

    public Task SendToGroup(string group, string message) => Clients.Group(group).addMessage(group, message);

    public Task SendToOthersInGroup(string group, string message) => Clients.OthersInGroup(group).addMessage(group, message);

    public string Overload() => "none";

    public string Overload(int value) => "int " + value;

    public string Overload(string a, string b) => a + b;

    public async Task<int> CountTo(int n, IProgress<int> progress)
    {
        for (int i = 1; i <= n; i++)
        {
            progress.Report(i);
            await Task.Yield();
        }

        return n;
    }

    public string Greet()
    {
        string name = Clients.Caller.userName;
        long visits = Clients.Caller.visits ?? 0L;
        Clients.Caller.visits = visits + 1;
        return "hello " + name;
    }

    public async Task<Point> Move(Point point, int dx)
    {
        await Task.Yield();
        return point with { X = point.X + dx };
    }

    public Task CallerOnly(string text) => Clients.Caller.notify(text);
}

public sealed record Point(int X, int Y);

/// <summary>Records hub events per connection, for the lifecycle tests.</summary>
public sealed class HubEventLog
{
    public ConcurrentQueue<string> Events { get; } = new();

    public TaskCompletionSource<string> Next { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(string entry)
    {
        Events.Enqueue(entry);
        Next.TrySetResult(entry);
    }

    public void Reset() => Next = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Logs OnConnected/OnReconnected/OnDisconnected with the connection id.</summary>
[HubName("events")]
public sealed class EventsHub(HubEventLog log) : Hub
{
    public override Task OnConnected()
    {
        log.Add("connected " + Context.ConnectionId);
        return Task.CompletedTask;
    }

    public override Task OnReconnected()
    {
        log.Add("reconnected " + Context.ConnectionId);
        return Task.CompletedTask;
    }

    public override Task OnDisconnected(bool stopCalled)
    {
        log.Add($"disconnected {Context.ConnectionId} {stopCalled}");
        return Task.CompletedTask;
    }

    public string Ping() => "pong";
}

/// <summary>Client methods of the typed hub.</summary>
public interface ITypedClient
{
    Task Notify(string text);
}

/// <summary>A hub with typed clients.</summary>
public sealed class TypedHub : Hub<ITypedClient>
{
    public Task Tell(string text) => Clients.All.Notify(text);
}
