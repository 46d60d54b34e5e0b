using System.Collections.Concurrent;
using Tether.Server.Hubs;

namespace Tether.Server.Tests.Hubs;

/// <summary>The hub of the wire captures (hub "chat" at /signalr), with the same methods as the classic test server's.</summary>
[HubName("chat")]
public sealed class ChatHub(ProgressGate gate) : Hub
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
        }

        // Progress and the result travel different ways (the connection's topic, the call's reply): the test opens
        // the gate once it has seen every report, so the result cannot overtake them.
        await gate.Opened.Task;
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

/// <summary>Holds a hub method until the test has seen what it waits for.</summary>
public sealed class ProgressGate
{
    public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Records hub events per connection, for the lifecycle tests.</summary>
public sealed class HubEventLog
{
    private readonly Lock _gate = new();
    private readonly List<string> _events = [];
    private readonly List<(string Entry, TaskCompletionSource Seen)> _waiters = [];

    public IReadOnlyList<string> Snapshot()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }

    public void Add(string entry)
    {
        lock (_gate)
        {
            _events.Add(entry);
            foreach (var waiter in _waiters.Where(w => w.Entry == entry))
            {
                waiter.Seen.TrySetResult();
            }
        }
    }

    /// <summary>Completes once <paramref name="entry"/> has been recorded (at once if it already was).</summary>
    public Task WaitFor(string entry)
    {
        lock (_gate)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_events.Contains(entry))
            {
                seen.SetResult();
            }
            else
            {
                _waiters.Add((entry, seen));
            }

            return seen.Task;
        }
    }
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

/// <summary>Connecting needs an authenticated user; some methods need more.</summary>
[Authorize]
[HubName("secure")]
public sealed class SecureHub : Hub
{
    public string Who() => Context.User.Identity!.Name!;

    [Authorize(Roles = "admin")]
    public string Admin() => "admin ok";

    [Authorize(Users = "bob")]
    public string BobOnly() => "bob ok";
}

/// <summary>Anyone connects; one method needs a user; users can be addressed by name.</summary>
[HubName("open")]
public sealed class OpenHub : Hub
{
    [Authorize]
    public string Private() => "private";

    public string Public() => "public";

    public Task NotifyUser(string user, string text) => Clients.User(user).notify(text);
}
