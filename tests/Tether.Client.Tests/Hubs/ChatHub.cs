using Tether.Server.Hubs;

namespace Tether.Client.Tests.Hubs;

/// <summary>
/// The twin, on Tether.Server, of the classic test host's <c>chat</c> hub (tests/testassets/ClassicServer): the same
/// methods, so the hub scenarios run unchanged against either server.
/// </summary>
[HubName("chat")]
public sealed class ChatHub(ConnectionGates gates) : Tether.Server.Hub
{
    public string Echo(string message) => message;

    public int Add(int a, int b) => a + b;

    public void Send(string name, string message) => Clients.All.addMessage(name, message);

    public void Fail(string message) => throw new Tether.Server.HubException(message, new { code = 42 });

    /// <summary>Reports 1..count as progress, then returns count once the test opens the connection's gate, as the classic twin does.</summary>
    public async Task<int> CountTo(int count, IProgress<int> progress)
    {
        for (int i = 1; i <= count; i++)
        {
            progress.Report(i);
        }

        await gates.WaitAsync(Context.ConnectionId);
        return count;
    }

    /// <summary>Opens the gate of another connection's held method; called from a second connection, it never waits behind it.</summary>
    public void OpenGate(string connectionId) => gates.Open(connectionId);

    public Task JoinGroup(string group) => Groups.Add(Context.ConnectionId, group);

    public Task LeaveGroup(string group) => Groups.Remove(Context.ConnectionId, group);

    public void SendToGroup(string group, string name, string message) => Clients.Group(group).addMessage(name, message);

    /// <summary>Reads the caller's <c>name</c> state, counts the calls in its <c>visits</c> state, and answers with both.</summary>
    public string Greet()
    {
        string name = Clients.Caller.name;
        long visits = Clients.Caller.visits ?? 0L;
        Clients.Caller.visits = visits + 1;
        return "hello " + name + " #" + (visits + 1);
    }

    /// <summary>Calls the caller's <c>addMessage("slow", "started")</c>, then answers once the connection's gate is opened.</summary>
    public async Task<string> Slow()
    {
        Clients.Caller.addMessage("slow", "started");
        await gates.WaitAsync(Context.ConnectionId);
        return "late";
    }
}
