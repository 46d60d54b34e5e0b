namespace Tether.Server.Messaging;

/// <summary>
/// The publish/subscribe seam of Tether.Server: ordered topics with a bounded replay buffer and cursors. The in-process
/// bus is the default; a backplane (e.g. Redis) implements this to make several server nodes act as one.
/// </summary>
/// <remarks>
/// <para>Each topic assigns increasing ids to its messages and keeps the last
/// <see cref="PersistentConnectionOptions.DefaultMessageBufferSize"/> of them. A subscription reads every topic it
/// covers in id order from a cursor, so a client that comes back with its last cursor gets everything it missed that is
/// still buffered, once, in order.</para>
/// <para>Implementations must be thread-safe and never hold a lock while invoking the availability callback.</para>
/// </remarks>
public interface IMessageBus
{
    /// <summary>Publishes a message to its topic.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>A task that completes when the message has its id and every subscriber can read it.</returns>
    ValueTask PublishAsync(Message message, CancellationToken cancellationToken = default);

    /// <summary>The id the next message published to <paramref name="topic"/> will get.</summary>
    /// <param name="topic">The topic.</param>
    /// <returns>The next id; a subscription started there misses nothing published afterwards.</returns>
    ulong GetNextId(string topic);

    /// <summary>Opens a subscription to a set of topics.</summary>
    /// <param name="topics">The topics to read.</param>
    /// <param name="cursor">
    /// A cursor from <see cref="IMessageSubscription.Cursor"/>, possibly issued by an earlier process or another node.
    /// Topics it names resume after their position; topics it does not name, and every topic when the cursor is
    /// <see langword="null"/>, foreign or malformed, start at "now". It never throws for a bad cursor.
    /// </param>
    /// <param name="onMessagesAvailable">
    /// Called, without locks held, whenever a covered topic may have unread messages. It must be fast and must not throw;
    /// it typically sets a signal that the reader awaits.
    /// </param>
    /// <returns>The subscription; dispose it to stop.</returns>
    IMessageSubscription Subscribe(IEnumerable<string> topics, string? cursor, Action onMessagesAvailable);
}

/// <summary>A reader over several topics of a <see cref="IMessageBus"/>, with its own cursor.</summary>
/// <remarks>
/// <para>Used by one reader at a time; <c>Dispose</c> may race with the availability callback.</para>
/// <para>The first topic passed to <see cref="IMessageBus.Subscribe"/> is the subscription's command topic (the
/// connection's own topic): a read takes it first and, after the other topics, looks at it once more, so every command
/// published before a message of a batch was read is in that batch, ahead of any later message of another topic.</para>
/// </remarks>
public interface IMessageSubscription : IDisposable
{
    /// <summary>The current position as an opaque, ASCII, JSON-safe string (no quotes, backslashes or control characters).</summary>
    string Cursor { get; }

    /// <summary>
    /// How many messages past the cursor are still buffered, over all topics. Readers use it for back-pressure:
    /// a connection whose own output lags far behind stops reading its input until it catches up.
    /// </summary>
    long UnreadCount { get; }

    /// <summary>Moves unread messages into <paramref name="batch"/>, oldest first per topic, and advances the cursor past them.</summary>
    /// <param name="batch">Receives the messages.</param>
    /// <param name="maxMessages">The most messages to move.</param>
    /// <returns>How many messages were moved; 0 when nothing is unread.</returns>
    int Read(List<Message> batch, int maxMessages);

    /// <summary>
    /// Moves unread messages into <paramref name="batch"/> as <see cref="Read(List{Message}, int)"/> does, stopping before
    /// the message that would take the payload bytes moved past <paramref name="maxBytes"/>; the first message is always
    /// moved, however large, so a reader always progresses.
    /// </summary>
    /// <param name="batch">Receives the messages.</param>
    /// <param name="maxMessages">The most messages to move.</param>
    /// <param name="maxBytes">The most payload bytes to move (the first message always moves).</param>
    /// <returns>How many messages were moved; 0 when nothing is unread.</returns>
    int Read(List<Message> batch, int maxMessages, long maxBytes);

    /// <summary>Starts reading another topic at <paramref name="startId"/> (see <see cref="IMessageBus.GetNextId"/>).</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="startId">The first id to read.</param>
    void AddTopic(string topic, ulong startId);

    /// <summary>Stops reading a topic; it also leaves the cursor.</summary>
    /// <param name="topic">The topic.</param>
    void RemoveTopic(string topic);
}
