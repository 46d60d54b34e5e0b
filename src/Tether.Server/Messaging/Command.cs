namespace Tether.Server.Messaging;

/// <summary>What a <see cref="Command"/> asks the receiving connection to do.</summary>
public enum CommandType
{
    /// <summary>The client called stop: end the receive request without a further disconnect event.</summary>
    Abort = 1,

    /// <summary>Join the group named in <see cref="Command.Value"/>, from <see cref="Command.Position"/> on.</summary>
    AddToGroup = 2,

    /// <summary>Leave the group named in <see cref="Command.Value"/>.</summary>
    RemoveFromGroup = 3,

    /// <summary>
    /// The connection's receive requests are now served by the node whose id is in <see cref="Command.Value"/> (the
    /// client moved between the nodes of a scale-out cluster). Another node that still tracks the connection lets it go
    /// without raising <c>OnDisconnected</c>; the node that serves it raises that event once, when the time comes.
    /// </summary>
    Moved = 4,

    /// <summary>
    /// The client's <c>/start</c> reached a node that does not hold the connection (a load balancer without sticky
    /// sessions): the node that holds it raises <c>OnConnected</c>, once, as if the <c>/start</c> had reached it.
    /// </summary>
    Start = 5,
}

/// <summary>An instruction to one connection, carried on its topic so it is ordered with that connection's messages.</summary>
/// <param name="Type">What to do.</param>
/// <param name="Value">The argument: the group name (without prefix) for group commands.</param>
/// <param name="Position">For <see cref="CommandType.AddToGroup"/>: the group topic's next id when the member was added, so nothing sent after the add is missed.</param>
public sealed record Command(CommandType Type, string? Value = null, ulong Position = 0);
