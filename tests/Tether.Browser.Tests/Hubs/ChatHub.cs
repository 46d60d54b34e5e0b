using Tether.Server;
using Tether.Server.Hubs;

namespace Tether.Browser.Tests.Hubs;

/// <summary>
/// The hub <c>chat</c> of the browser tests: the methods of the CLI's demo hub and of the classic test host's hub
/// (results, <c>addMessage</c> to all or to a group, a <see cref="HubException"/> with data), plus caller state and
/// progress.
/// </summary>
[HubName("chat")]
public sealed class ChatHub(ProgressGate gate) : Hub
{
    public string Echo(string text) => text;

    public int Add(int a, int b) => a + b;

    public Task Send(string name, string message) => Clients.All.addMessage(name, message);

    public Task JoinGroup(string group) => Groups.Add(Context.ConnectionId, group);

    public Task LeaveGroup(string group) => Groups.Remove(Context.ConnectionId, group);

    public Task SendToGroup(string group, string name, string message) => Clients.Group(group).addMessage(name, message);

    public void Fail(string message) => throw new HubException(message, new { code = 42 });

    /// <summary>Reads the caller state the page set (<c>userName</c>) and sets some back (<c>greeted</c>).</summary>
    public string Greet()
    {
        string userName = Clients.Caller.userName;
        Clients.Caller.greeted = true;
        return "hello " + userName;
    }

    /// <summary>
    /// Reports 1..<paramref name="count"/> as progress, then returns once the test opens the gate (after the page saw
    /// every update: a result written before the updates arrived would end the call without them).
    /// </summary>
    public async Task<string> CountTo(int count, IProgress<int> progress)
    {
        for (int i = 1; i <= count; i++)
        {
            progress.Report(i);
        }

        await gate.WaitAsync(Context.ConnectionId);
        return $"counted to {count}";
    }
}

/// <summary>A hub without <c>[HubName]</c>, so the generated proxy camel-cases its name: <c>$.connection.statusHub</c>.</summary>
public sealed class StatusHub : Hub
{
    public string GetStatus() => "ok";

    /// <summary>A method renamed by <c>[HubMethodName]</c>: the proxy keeps that name as it is.</summary>
    [HubMethodName("PING_Now")]
    public string Ping() => "pong";
}
