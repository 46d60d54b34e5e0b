using System;
using System.Threading.Tasks;
using Microsoft.AspNet.SignalR;
using Microsoft.AspNet.SignalR.Hubs;

namespace Tether.ClassicServer;

// The same endpoints as tests/Tether.Tests.Utils/TestConnections.cs, written against the official
// Microsoft.AspNet.SignalR.Core API, so a scenario can run unchanged against Tether.Server and the classic server.

/// <summary>Replies to the sender with exactly the data it received.</summary>
public sealed class EchoConnection : PersistentConnection
{
    protected override Task OnReceived(IRequest request, string connectionId, string data) => Connection.Send(connectionId, data);
}

/// <summary>Sends each message to every connection.</summary>
public sealed class BroadcastConnection : PersistentConnection
{
    protected override Task OnReceived(IRequest request, string connectionId, string data) => Connection.Broadcast(data);
}

/// <summary>
/// A small command language over the data: <c>join:G</c> and <c>leave:G</c> change membership and answer
/// <c>joined:G</c> / <c>left:G</c> to the sender; <c>to:G:TEXT</c> sends TEXT to group G; <c>others:G:TEXT</c> sends to
/// group G except the sender; <c>all:TEXT</c> broadcasts.
/// </summary>
public sealed class GroupsConnection : PersistentConnection
{
    protected override async Task OnReceived(IRequest request, string connectionId, string data)
    {
        data ??= string.Empty;
        if (data.StartsWith("join:", StringComparison.Ordinal))
        {
            string group = data.Substring("join:".Length);
            await Groups.Add(connectionId, group).ConfigureAwait(false);
            await Connection.Send(connectionId, "joined:" + group).ConfigureAwait(false);
        }
        else if (data.StartsWith("leave:", StringComparison.Ordinal))
        {
            string group = data.Substring("leave:".Length);
            await Groups.Remove(connectionId, group).ConfigureAwait(false);
            await Connection.Send(connectionId, "left:" + group).ConfigureAwait(false);
        }
        else if (data.StartsWith("to:", StringComparison.Ordinal))
        {
            string[] parts = data.Split(new[] { ':' }, 3);
            await Groups.Send(parts[1], parts[2]).ConfigureAwait(false);
        }
        else if (data.StartsWith("others:", StringComparison.Ordinal))
        {
            string[] parts = data.Split(new[] { ':' }, 3);
            await Groups.Send(parts[1], parts[2], connectionId).ConfigureAwait(false);
        }
        else if (data.StartsWith("all:", StringComparison.Ordinal))
        {
            await Connection.Broadcast(data.Substring("all:".Length)).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Echoes data back and reports every server-side event on standard output, one line each, for the test fixture:
/// <c>EVENT Connected ID</c>, <c>EVENT Reconnected ID</c>, <c>EVENT Received ID "json-escaped data"</c>,
/// <c>EVENT Disconnected ID stopCalled=True|False</c>.
/// </summary>
public sealed class EventsConnection : PersistentConnection
{
    protected override Task OnConnected(IRequest request, string connectionId)
    {
        Output.Event("Connected " + connectionId);
        return Task.FromResult(0);
    }

    protected override Task OnReconnected(IRequest request, string connectionId)
    {
        Output.Event("Reconnected " + connectionId);
        return Task.FromResult(0);
    }

    protected override Task OnReceived(IRequest request, string connectionId, string data)
    {
        Output.Event("Received " + connectionId + " " + Newtonsoft.Json.JsonConvert.ToString(data));
        return Connection.Send(connectionId, data);
    }

    protected override Task OnDisconnected(IRequest request, string connectionId, bool stopCalled)
    {
        Output.Event("Disconnected " + connectionId + " stopCalled=" + (stopCalled ? "True" : "False"));
        return Task.FromResult(0);
    }
}

/// <summary>
/// The hub of the wire captures (/signalr, hub "chat"): results, a client callback, and a hub error; and for the hub
/// client tests: progress, groups, caller state and a method that answers late.
/// </summary>
[HubName("chat")]
public sealed class ChatHub : Hub
{
    public string Echo(string message) => message;

    public int Add(int a, int b) => a + b;

    public void Send(string name, string message) => Clients.All.addMessage(name, message);

    public void Fail(string message) => throw new HubException(message, new { code = 42 });

    /// <summary>
    /// Reports 1..count as progress, then returns count once the connection's gate is opened (<see cref="OpenGate"/>,
    /// from another connection). Progress travels through the message bus and the result straight back on the
    /// request, so the test opens the gate only after it has seen every report: the result cannot overtake them.
    /// </summary>
    public async Task<int> CountTo(int count, IProgress<int> progress)
    {
        for (int i = 1; i <= count; i++)
        {
            progress.Report(i);
        }

        await ConnectionGates.WaitAsync(Context.ConnectionId).ConfigureAwait(false);
        return count;
    }

    /// <summary>
    /// Opens the gate of another connection's held method (<see cref="CountTo"/>, <see cref="Slow"/>). Called from a
    /// second connection, it never waits behind the held invocation, whatever the server does with one connection's calls.
    /// </summary>
    public void OpenGate(string connectionId) => ConnectionGates.Open(connectionId);

    public Task JoinGroup(string group) => Groups.Add(Context.ConnectionId, group);

    public Task LeaveGroup(string group) => Groups.Remove(Context.ConnectionId, group);

    public void SendToGroup(string group, string name, string message) => Clients.Group(group).addMessage(name, message);

    /// <summary>Reads the caller's <c>name</c> state, counts the calls in its <c>visits</c> state, and answers with both.</summary>
    public string Greet()
    {
        string name = Clients.Caller.name;
        int visits = Clients.Caller.visits == null ? 0 : (int)Clients.Caller.visits;
        Clients.Caller.visits = visits + 1;
        return "hello " + name + " #" + (visits + 1);
    }

    /// <summary>
    /// Calls the caller's <c>addMessage("slow", "started")</c>, then answers once the connection's gate is opened
    /// (<see cref="OpenGate"/>) or the connection is gone: an invocation a test knows the server has, still pending
    /// when it cuts the link or cancels.
    /// </summary>
    public async Task<string> Slow()
    {
        Clients.Caller.addMessage("slow", "started");
        await ConnectionGates.WaitAsync(Context.ConnectionId).ConfigureAwait(false);
        return "late";
    }

    /// <summary>Opens the connection's gate, so nothing stays held for a connection that is gone.</summary>
    public override Task OnDisconnected(bool stopCalled)
    {
        ConnectionGates.Open(Context.ConnectionId);
        return base.OnDisconnected(stopCalled);
    }
}
