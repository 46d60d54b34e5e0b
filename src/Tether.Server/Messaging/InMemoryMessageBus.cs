using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Tether.Server.Messaging;

/// <summary>
/// The in-process <see cref="IMessageBus"/>: ordered topics with a bounded replay buffer, cursors in the classic
/// single-process format, and garbage collection of unused topics.
/// </summary>
/// <remarks>
/// <para>Topics are created by a subscription, <see cref="IMessageSubscription.AddTopic"/> or <see cref="GetNextId"/>;
/// a publication to a topic that does not exist is not buffered (nobody reads it: <see cref="UnbufferedMessages"/>
/// counts it). Each topic numbers its messages 0, 1, 2... and keeps the last
/// <see cref="PersistentConnectionOptions.DefaultMessageBufferSize"/> of them, and at most
/// <see cref="PersistentConnectionOptions.MaxTopicBufferBytes"/> of payload (its newest message always stays), in a ring
/// buffer that starts small and grows on demand. All topics together keep at most
/// <see cref="PersistentConnectionOptions.MaxBufferedBytes"/>: above it the oldest messages across topics go first
/// (see <see cref="BufferBudget"/>). Publication takes a short per-topic lock, completes synchronously and then invokes
/// the callback of each subscription covering the topic, with no lock held. Reading takes no lock.</para>
/// <para>A topic that has had no subscriber for <see cref="PersistentConnectionOptions.TopicTtl"/> is removed, with its
/// messages, by a sweep that runs on a timer of the <see cref="TimeProvider"/>. A topic created again later is a new
/// incarnation, with ids from 0 and a new cursor key, so an old cursor cannot resume it (it starts at "now").</para>
/// <para>Cursors read <c>d-&lt;PROCESS&gt;-&lt;key&gt;,&lt;id&gt;|...</c>: PROCESS is a random 32-bit value drawn for each bus
/// instance, a key is a topic's creation number, and an id is the next id to read, all uppercase hex without padding.
/// A cursor from another bus instance (a restarted process or another node) or a malformed one starts every topic at
/// "now"; it never throws.</para>
/// </remarks>
public sealed class InMemoryMessageBus : IMessageBus, IDisposable, Diagnostics.IBufferedBytesSource, ITopicNameLookup
{
    private readonly TopicTable _topics;
    private readonly TopicSettings _settings;
    private long _topicSequence;

    /// <summary>Creates a bus.</summary>
    /// <param name="options">The options: buffer bounds and the topic time to live are read once.</param>
    /// <param name="timeProvider">The clock of topic expiry and of the sweep timer.</param>
    public InMemoryMessageBus(IOptions<PersistentConnectionOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _settings = TopicSettings.From(options.Value, denseIds: true, appendKeepsAlive: false, timeProvider);
        _topics = new TopicTable(options.Value, CreateTopic, timeProvider);

        Span<byte> random = stackalloc byte[sizeof(uint)];
        RandomNumberGenerator.Fill(random);
        ProcessId = BinaryPrimitives.ReadUInt32LittleEndian(random);
        ProcessHex = CursorCodec.FormatProcessId(ProcessId);
    }

    /// <summary>The random id of this bus instance in its cursors.</summary>
    internal uint ProcessId { get; }

    /// <summary><see cref="ProcessId"/> as written in cursors.</summary>
    internal string ProcessHex { get; }

    /// <summary>How many topics exist now.</summary>
    internal int TopicCount => _topics.Count;

    /// <summary>Whether the topic exists (has a buffer) now.</summary>
    internal bool HasTopic(string name) => _topics.TryGet(name, out _);

    /// <summary>The byte budget and counters of all topics.</summary>
    internal BufferBudget Budget => _settings.Budget;

    long Diagnostics.IBufferedBytesSource.BufferedBytes => Budget.BufferedBytes;

    long Diagnostics.IBufferedBytesSource.EvictedMessages => Budget.EvictedMessages;

    /// <summary>Messages published to a topic that did not exist here, so nobody could read them: not buffered.</summary>
    internal long UnbufferedMessages => _settings.Budget.UnbufferedMessages;

    /// <inheritdoc/>
    /// <remarks>
    /// Completes synchronously: when it returns, the message has its id and every subscriber has been notified. A topic
    /// that does not exist (no subscription, <see cref="GetNextId"/> or added topic made it) is not created: the message
    /// is counted and dropped, as nobody could read it.
    /// </remarks>
    public ValueTask PublishAsync(Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        while (true)
        {
            if (!_topics.TryGet(message.Topic, out BufferedTopic? topic))
            {
                _settings.Budget.CountUnbuffered();
                return default;
            }

            if (topic.TryAppend(0, message, notify: true))
            {
                return default;
            }

            _topics.Forget(topic);
        }
    }

    /// <inheritdoc/>
    public void Release(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        _topics.Release(topic);
    }

    /// <inheritdoc/>
    /// <remarks>Creates the topic if needed and counts as a use of it: it lives at least another topic time to live.</remarks>
    public ulong GetNextId(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return _topics.Use(topic, static (current, _) => current.TryTouch(), 0).NextSeq;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// When messages are already unread at the starting positions (a cursor behind the topics), the callback is invoked
    /// once before this method returns, so a reader that waits for it wakes up.
    /// </remarks>
    public IMessageSubscription Subscribe(IEnumerable<string> topics, string? cursor, Action onMessagesAvailable)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(onMessagesAvailable);
        var subscription = new InMemorySubscription(this, _topics, onMessagesAvailable, topics.TryGetNonEnumeratedCount(out int count) ? count : 4);
        subscription.Start(topics, cursor);
        return subscription;
    }

    /// <inheritdoc/>
    string? ITopicNameLookup.FindTopicName(ReadOnlySpan<char> name) => _topics.FindName(name);

    /// <summary>Stops the expiry timer. Topics and subscriptions keep working, but unused topics are no longer removed.</summary>
    public void Dispose() => _topics.Dispose();

    /// <summary>The live topic with this name, created if needed. It may expire at any time until a subscriber holds it.</summary>
    /// <param name="name">The topic name.</param>
    /// <returns>The topic.</returns>
    internal BufferedTopic GetOrCreateTopic(string name) => _topics.GetOrCreate(name);

    /// <summary>Removes every topic that has had no subscriber for the topic time to live. Runs on the timer.</summary>
    internal void SweepTopics() => _topics.Sweep();

    private BufferedTopic CreateTopic(string name) => new(name, (ulong)Interlocked.Increment(ref _topicSequence), _settings);
}
