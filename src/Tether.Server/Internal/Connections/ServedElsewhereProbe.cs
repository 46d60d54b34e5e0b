using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>What another node of a scale-out cluster did with a connection that went quiet here.</summary>
internal enum ElsewhereOutcome
{
    /// <summary>Nothing: the connection really is gone.</summary>
    None,

    /// <summary>It was stopped through another node, which raised <c>OnDisconnected</c> itself.</summary>
    StoppedAndRaised,

    /// <summary>It was stopped through a node that did not know it; the node that does raises <c>OnDisconnected</c>.</summary>
    Stopped,

    /// <summary>The client went on with another node, which raises the event when it ends.</summary>
    Moved,
}

/// <summary>
/// Reads a quiet connection's own topic, after what its last receive request here may have consumed, for the commands
/// other nodes left on it: an abort (the client stopped through that node) or another node's moved command.
/// </summary>
internal sealed class ServedElsewhereProbe(IMessageBus bus, string nodeId, int maxMessages)
{
    public ElsewhereOutcome Find(string connectionId, string? unconsumedFrom)
    {
        if (unconsumedFrom is null)
        {
            return ElsewhereOutcome.None;
        }

        using var subscription = bus.Subscribe([Topics.ForConnection(connectionId)], unconsumedFrom, static () => { });
        var batch = new List<Message>();
        var found = ElsewhereOutcome.None;

        // Bounded: the topic buffer holds at most DefaultMessageBufferSize messages past the cursor.
        for (int reads = 0; reads < 16 && subscription.Read(batch, Math.Max(1, maxMessages)) > 0; reads++)
        {
            foreach (var message in batch)
            {
                switch (message.Command)
                {
                    case { Type: CommandType.Abort } abort:
                        return abort.Value is null ? ElsewhereOutcome.Stopped : ElsewhereOutcome.StoppedAndRaised;
                    case { Type: CommandType.Moved } moved when !string.Equals(moved.Value, nodeId, StringComparison.Ordinal):
                        found = ElsewhereOutcome.Moved;
                        break;
                    default:
                        break;
                }
            }

            batch.Clear();
        }

        return found;
    }
}
