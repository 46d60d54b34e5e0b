using System.Diagnostics;
using Tether.Server.Internal.Transports;

namespace Tether.Server.Diagnostics;

/// <summary>
/// The <c>Tether.Server</c> activity source and the spans Tether starts on it. Each span carries the connection id
/// (<c>tether.connection_id</c>) and the connection type; a span is only created when something listens.
/// </summary>
internal static class TetherActivities
{
    public static readonly ActivitySource Source = new(TetherServerDiagnostics.ActivitySourceName);

    /// <summary>A negotiate request: the connection id it hands out.</summary>
    public static Activity? StartNegotiate(string typeName, string connectionId) =>
        Start("Tether.Negotiate", typeName, connectionId);

    /// <summary>A connect or reconnect receive request, with its transport.</summary>
    public static Activity? StartReceive(ReceiveKind kind, string transport, string typeName, string connectionId)
    {
        var activity = Start(kind == ReceiveKind.Connect ? "Tether.Connect" : "Tether.Reconnect", typeName, connectionId);
        activity?.SetTag(TetherTags.Transport, transport);
        return activity;
    }

    /// <summary>A hub method invocation (for the hub dispatcher): hub and method names, and the caller's connection id.</summary>
    public static Activity? StartHubInvocation(string hub, string method, string connectionId)
    {
        var activity = Source.StartActivity("Tether.HubInvocation", ActivityKind.Server);
        activity?.SetTag(TetherTags.Hub, hub);
        activity?.SetTag(TetherTags.Method, method);
        activity?.SetTag(TetherTags.ConnectionId, connectionId);
        return activity;
    }

    private static Activity? Start(string name, string typeName, string connectionId)
    {
        var activity = Source.StartActivity(name, ActivityKind.Server);
        activity?.SetTag(TetherTags.ConnectionId, connectionId);
        activity?.SetTag(TetherTags.ConnectionType, typeName);
        return activity;
    }
}
