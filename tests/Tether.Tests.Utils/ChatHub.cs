using Tether.Server;
using Tether.Server.Hubs;

namespace Tether.Tests.Utils;

/// <summary>
/// The hub of the wire captures (hub "chat" at /signalr): the classic test server's methods (Echo, Add, Send, Fail)
/// and more for groups, overloads, progress, state and errors.
/// </summary>
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

    public async ValueTask<int> Twice(int value)
    {
        await Task.Yield();
        return value * 2;
    }

    public ValueTask Nothing() => ValueTask.CompletedTask;

    public Task CallerOnly(string text) => Clients.Caller.notify(text);
}

/// <summary>A value bound from and written to JSON.</summary>
public sealed record Point(int X, int Y);
