using System.Collections.Concurrent;
using Tether.Server.Hubs;

namespace Tether.Server.Tests.Hubs;

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

/// <summary>One gate per name, opened by the test: holds a <see cref="GatedHub"/> call until then.</summary>
public sealed class CallGates
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();

    public Task WaitAsync(string name) => For(name).Task;

    public void Open(string name) => For(name).TrySetResult();

    private TaskCompletionSource For(string name) =>
        _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>Calls that wait for the test (<see cref="Hold"/>) beside calls that do not, logging when each starts and ends.</summary>
[HubName("gated")]
public sealed class GatedHub(HubEventLog log, CallGates gates) : Hub
{
    public async Task<string> Hold(string name)
    {
        log.Add("start " + name);
        await gates.WaitAsync(name);
        log.Add("end " + name);
        return name;
    }

    public string Quick() => "quick";
}
