using System.Diagnostics.CodeAnalysis;
using Tether.Cli.Output;
using Tether.Server;
using Tether.Server.Hubs;

namespace Tether.Cli.Demo;

/// <summary>
/// The demo hub <c>chat</c> that <c>tether serve</c> and <c>tether demo</c> host at <c>/signalr</c>, written as a classic
/// ASP.NET SignalR 2.x hub with the namespace prefix swapped. Each call and connection event is printed as one
/// timestamped line, e.g. <c>/signalr chat.Echo(hello) from ID</c>.
/// </summary>
[HubName(Name)]
internal sealed class ChatHub : Hub
{
    /// <summary>The hub's name on the wire and in the generated proxy (<c>$.connection.chat</c>).</summary>
    public const string Name = "chat";

    /// <summary>The path <c>tether serve</c> maps its hubs at, the classic default.</summary>
    public const string MappedPath = "/signalr";

    /// <summary>Why the methods that call clients need unreferenced and dynamic code.</summary>
    private const string DynamicClients = "Calls the clients through dynamic (Clients.All.addMessage(...)), as classic hubs do.";

    private readonly ConsoleSink _sink;

    /// <summary>Creates the hub; Tether creates one per call from dependency injection.</summary>
    /// <param name="sink">Where calls and events are printed.</param>
    public ChatHub(ConsoleSink sink) => _sink = sink;

    /// <summary>Returns its argument.</summary>
    /// <param name="text">Any text.</param>
    /// <returns><paramref name="text"/>, unchanged.</returns>
    public string Echo(string text)
    {
        Print($"Echo({DisplayText.OneLine(text)})");
        return text;
    }

    /// <summary>Adds two numbers.</summary>
    /// <param name="a">The first number.</param>
    /// <param name="b">The second number.</param>
    /// <returns>Their sum.</returns>
    public int Add(int a, int b)
    {
        Print($"Add({a}, {b})");
        return a + b;
    }

    /// <summary>Calls <c>addMessage(name, message)</c> on every client of the hub, the caller included.</summary>
    /// <param name="name">Who speaks.</param>
    /// <param name="message">What they say.</param>
    /// <returns>A task that completes when the call is published.</returns>
    [RequiresUnreferencedCode(DynamicClients)]
    [RequiresDynamicCode(DynamicClients)]
    public Task Send(string name, string message)
    {
        Print($"Send({DisplayText.OneLine(name)}, {DisplayText.OneLine(message)}): addMessage to all");
        return Clients.All.addMessage(name, message);
    }

    /// <summary>Adds the caller to a group.</summary>
    /// <param name="group">The group.</param>
    /// <returns>A task that completes when the caller is in the group.</returns>
    public Task JoinGroup(string group)
    {
        Print($"JoinGroup({DisplayText.OneLine(group)})");
        return Groups.Add(Context.ConnectionId, group);
    }

    /// <summary>Removes the caller from a group.</summary>
    /// <param name="group">The group.</param>
    /// <returns>A task that completes when the caller has left the group.</returns>
    public Task LeaveGroup(string group)
    {
        Print($"LeaveGroup({DisplayText.OneLine(group)})");
        return Groups.Remove(Context.ConnectionId, group);
    }

    /// <summary>Calls <c>addMessage(name, message)</c> on every client in a group.</summary>
    /// <param name="group">The group.</param>
    /// <param name="name">Who speaks.</param>
    /// <param name="message">What they say.</param>
    /// <returns>A task that completes when the call is published.</returns>
    [RequiresUnreferencedCode(DynamicClients)]
    [RequiresDynamicCode(DynamicClients)]
    public Task SendToGroup(string group, string name, string message)
    {
        Print($"SendToGroup({DisplayText.OneLine(group)}, {DisplayText.OneLine(name)}, {DisplayText.OneLine(message)}): addMessage to the group");
        return Clients.Group(group).addMessage(name, message);
    }

    /// <summary>Fails with a <see cref="HubException"/> that carries <c>{ code = 42 }</c> to the client.</summary>
    /// <param name="message">The error message.</param>
    public void Fail(string message)
    {
        Print($"Fail({DisplayText.OneLine(message)}): throws HubException");
        throw new HubException(message, new { code = 42 });
    }

    /// <inheritdoc />
    public override Task OnConnected()
    {
        PrintEvent("connected");
        return base.OnConnected();
    }

    /// <inheritdoc />
    public override Task OnReconnected()
    {
        PrintEvent("reconnected");
        return base.OnReconnected();
    }

    /// <inheritdoc />
    public override Task OnDisconnected(bool stopCalled)
    {
        PrintEvent("disconnected", stopCalled ? " (stopCalled: true)" : " (stopCalled: false)");
        return base.OnDisconnected(stopCalled);
    }

    private void Print(string call) => _sink.Event($"{MappedPath} {Name}.{call} from {Context.ConnectionId}");

    private void PrintEvent(string what, string suffix = "")
    {
        string? transport = Context.QueryString["transport"];
        string via = string.IsNullOrEmpty(transport) ? "(no transport)" : DisplayText.OneLine(transport, 32);
        _sink.Event($"{MappedPath} {Name} {what} {Context.ConnectionId} via {via}{suffix}");
    }
}
