namespace Tether.Server.Messaging;

/// <summary>One message on the bus: a serialized JSON value, or a command, addressed to one topic.</summary>
/// <remarks>Immutable. The payload bytes are shared by every receiver and must not be changed after publication.</remarks>
public sealed class Message
{
    /// <summary>Creates a data message.</summary>
    /// <param name="topic">The topic, e.g. <c>c-&lt;connectionId&gt;</c>, <c>pc-&lt;Type&gt;</c> or <c>pcg-&lt;Type&gt;.&lt;group&gt;</c>.</param>
    /// <param name="payload">One complete JSON value, UTF-8.</param>
    /// <param name="excludedConnectionIds">Connections that must skip this message, or <see langword="null"/>.</param>
    public Message(string topic, ReadOnlyMemory<byte> payload, IReadOnlyList<string>? excludedConnectionIds = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        Topic = topic;
        Payload = payload;
        ExcludedConnectionIds = excludedConnectionIds is { Count: > 0 } ? excludedConnectionIds : null;
    }

    private Message(string topic, Command command)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        Topic = topic;
        Command = command;
    }

    /// <summary>Creates a command message, delivered in order with the data of the same topic.</summary>
    /// <param name="topic">The connection topic the command is for.</param>
    /// <param name="command">The command.</param>
    /// <returns>The message.</returns>
    public static Message ForCommand(string topic, Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new Message(topic, command);
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The serialized JSON value; empty for commands.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The command, or <see langword="null"/> for data.</summary>
    public Command? Command { get; }

    /// <summary>Connections that must skip this message, or <see langword="null"/>.</summary>
    public IReadOnlyList<string>? ExcludedConnectionIds { get; }

    /// <summary>Whether the connection is excluded from this message.</summary>
    /// <param name="connectionId">The receiving connection.</param>
    /// <returns><see langword="true"/> when the connection must skip it.</returns>
    public bool Excludes(string connectionId)
    {
        if (ExcludedConnectionIds is not { } excluded)
        {
            return false;
        }

        for (int i = 0; i < excluded.Count; i++)
        {
            if (string.Equals(excluded[i], connectionId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
