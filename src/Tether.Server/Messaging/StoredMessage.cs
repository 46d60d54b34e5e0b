namespace Tether.Server.Messaging;

/// <summary>One buffered message with its id in its topic's order.</summary>
/// <param name="Id">The id: dense per topic for the in-process bus, a sparse global id for a scale-out bus.</param>
/// <param name="Message">The message.</param>
internal readonly record struct StoredMessage(ulong Id, Message Message);

/// <summary>Where <see cref="BufferedTopic.Read"/> puts the messages it copies.</summary>
internal interface IMessageSink
{
    /// <summary>How many messages the sink holds.</summary>
    int Count { get; }

    /// <summary>Adds a message.</summary>
    /// <param name="stored">The message and its id.</param>
    void Add(in StoredMessage stored);

    /// <summary>Drops every message from <paramref name="count"/> on (a read that is tried again).</summary>
    /// <param name="count">How many messages to keep.</param>
    void Truncate(int count);
}

/// <summary>A sink of messages only.</summary>
/// <param name="batch">The batch.</param>
internal readonly struct MessageSink(List<Message> batch) : IMessageSink
{
    /// <inheritdoc/>
    public int Count => batch.Count;

    /// <inheritdoc/>
    public void Add(in StoredMessage stored) => batch.Add(stored.Message);

    /// <inheritdoc/>
    public void Truncate(int count) => batch.RemoveRange(count, batch.Count - count);
}

/// <summary>A sink of messages with their ids.</summary>
/// <param name="batch">The batch.</param>
internal readonly struct StoredMessageSink(List<StoredMessage> batch) : IMessageSink
{
    /// <inheritdoc/>
    public int Count => batch.Count;

    /// <inheritdoc/>
    public void Add(in StoredMessage stored) => batch.Add(stored);

    /// <inheritdoc/>
    public void Truncate(int count) => batch.RemoveRange(count, batch.Count - count);
}

/// <summary>What one <see cref="IMessageSubscription.Read(List{Message}, int, long)"/> may still take: messages and payload bytes.</summary>
/// <remarks>The first message always fits; after it, the first one that does not fit ends the whole read.</remarks>
internal struct ReadBudget
{
    private int _messages;
    private long _bytes;
    private bool _started;
    private bool _full;

    /// <summary>Creates a budget.</summary>
    /// <param name="maxMessages">The most messages.</param>
    /// <param name="maxBytes">The most payload bytes after the first message.</param>
    public ReadBudget(int maxMessages, long maxBytes)
    {
        _messages = maxMessages;
        _bytes = maxBytes;
    }

    /// <summary>Whether nothing more may be taken.</summary>
    public readonly bool IsSpent => _full || _messages <= 0;

    /// <summary>How many messages may still be taken.</summary>
    public readonly int Messages => _messages;

    /// <summary>Takes a message of <paramref name="length"/> payload bytes if it fits.</summary>
    /// <param name="length">The payload length.</param>
    /// <returns><see langword="false"/> when it does not fit; the budget is then spent.</returns>
    public bool TryTake(int length)
    {
        if (IsSpent || (_started && length > _bytes))
        {
            _full = true;
            return false;
        }

        _started = true;
        _messages--;
        _bytes -= length;
        return true;
    }
}
