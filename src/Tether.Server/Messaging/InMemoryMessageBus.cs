using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Tether.Server.Messaging;

/// <summary>
/// The in-process <see cref="IMessageBus"/>: ordered topics with a bounded replay buffer, cursors in the classic
/// single-process format, and garbage collection of unused topics.
/// </summary>
/// <remarks>
/// <para>Topics are created on first use (publish, subscribe or <see cref="GetNextId"/>). Each one numbers its messages
/// 0, 1, 2... and keeps the last <see cref="PersistentConnectionOptions.DefaultMessageBufferSize"/> of them in a ring buffer
/// that starts small and grows on demand, so idle topics cost little memory. Publication takes a short per-topic lock,
/// completes synchronously and then invokes the callback of each subscription covering the topic, with no lock held.
/// Reading takes no lock.</para>
/// <para>A topic that has had no subscriber for <see cref="PersistentConnectionOptions.TopicTtl"/> is removed, with its
/// messages, by a sweep that runs on a timer of the <see cref="TimeProvider"/>. A topic created again later is a new
/// incarnation, with ids from 0 and a new cursor key, so an old cursor cannot resume it (it starts at "now").</para>
/// <para>Cursors read <c>d-&lt;PROCESS&gt;-&lt;key&gt;,&lt;id&gt;|...</c>: PROCESS is a random 32-bit value drawn for each bus
/// instance, a key is a topic's creation number, and an id is the next id to read, all uppercase hex without padding.
/// A cursor from another bus instance (a restarted process or another node) or a malformed one starts every topic at
/// "now"; it never throws.</para>
/// </remarks>
public sealed class InMemoryMessageBus : IMessageBus, IDisposable
{
    private static readonly TimeSpan MinSweepPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxSweepPeriod = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly int _bufferSize;
    private readonly TimeSpan _topicTtl;
    private readonly ITimer? _sweepTimer;
    private long _topicSequence;
    private int _sweeping;

    /// <summary>Creates a bus.</summary>
    /// <param name="options">The options: the buffer size per topic and the topic time to live are read once.</param>
    /// <param name="timeProvider">The clock of topic expiry and of the sweep timer.</param>
    public InMemoryMessageBus(IOptions<PersistentConnectionOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        PersistentConnectionOptions settings = options.Value;
        _timeProvider = timeProvider;
        _bufferSize = Math.Clamp(settings.DefaultMessageBufferSize, 1, Array.MaxLength - 1);
        _topicTtl = GetTopicTtl(settings);

        Span<byte> random = stackalloc byte[sizeof(uint)];
        RandomNumberGenerator.Fill(random);
        ProcessId = BinaryPrimitives.ReadUInt32LittleEndian(random);
        ProcessHex = CursorCodec.FormatProcessId(ProcessId);

        if (_topicTtl != TimeSpan.MaxValue)
        {
            TimeSpan period = TimeSpan.FromTicks(Math.Clamp(_topicTtl.Ticks / 4, MinSweepPeriod.Ticks, MaxSweepPeriod.Ticks));

            // The timer must not capture the ambient context (e.g. the request that first resolved the singleton).
            bool restoreFlow = !ExecutionContext.IsFlowSuppressed();
            if (restoreFlow)
            {
                ExecutionContext.SuppressFlow();
            }

            try
            {
                _sweepTimer = timeProvider.CreateTimer(static state => ((InMemoryMessageBus)state!).SweepTopics(), this, period, period);
            }
            finally
            {
                if (restoreFlow)
                {
                    ExecutionContext.RestoreFlow();
                }
            }
        }
    }

    /// <summary>The random id of this bus instance in its cursors.</summary>
    internal uint ProcessId { get; }

    /// <summary><see cref="ProcessId"/> as written in cursors.</summary>
    internal string ProcessHex { get; }

    /// <summary>How many topics exist now.</summary>
    internal int TopicCount => _topics.Count;

    /// <inheritdoc/>
    /// <remarks>Completes synchronously: when it returns, the message has its id and every subscriber has been notified.</remarks>
    public ValueTask PublishAsync(Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        Topic topic;
        while (!(topic = GetOrCreateTopic(message.Topic)).TryPublish(message))
        {
            ForgetRemovedTopic(topic);
        }

        return default;
    }

    /// <inheritdoc/>
    /// <remarks>Creates the topic if needed and counts as a use of it: it lives at least another topic time to live.</remarks>
    public ulong GetNextId(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        while (true)
        {
            Topic current = GetOrCreateTopic(topic);
            if (current.TryTouch(out ulong nextId))
            {
                return nextId;
            }

            ForgetRemovedTopic(current);
        }
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
        var subscription = new InMemorySubscription(this, onMessagesAvailable, topics.TryGetNonEnumeratedCount(out int count) ? count : 4);
        subscription.Start(topics, cursor);
        return subscription;
    }

    /// <summary>Stops the expiry timer. Topics and subscriptions keep working, but unused topics are no longer removed.</summary>
    public void Dispose() => _sweepTimer?.Dispose();

    /// <summary>The live topic with this name, created if needed. It may expire at any time until a subscriber holds it.</summary>
    /// <param name="name">The topic name.</param>
    /// <returns>The topic.</returns>
    internal Topic GetOrCreateTopic(string name) =>
        _topics.GetOrAdd(name, static (name, bus) => new Topic(name, (ulong)Interlocked.Increment(ref bus._topicSequence), bus._bufferSize, bus._timeProvider), this);

    /// <summary>Drops a topic that was found removed from the table (if the sweep has not done so yet), so a retry creates a new one.</summary>
    /// <param name="topic">The removed topic.</param>
    internal void ForgetRemovedTopic(Topic topic) => _topics.TryRemove(KeyValuePair.Create(topic.Name, topic));

    /// <summary>Removes every topic that has had no subscriber for the topic time to live. Runs on the timer.</summary>
    internal void SweepTopics()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            long now = _timeProvider.GetTimestamp();
            foreach (KeyValuePair<string, Topic> pair in _topics)
            {
                if (pair.Value.TryExpire(now, _topicTtl))
                {
                    _topics.TryRemove(pair);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private static TimeSpan GetTopicTtl(PersistentConnectionOptions options)
    {
        try
        {
            TimeSpan ttl = options.TopicTtl;
            return ttl > TimeSpan.Zero ? ttl : TimeSpan.Zero;
        }
        catch (OverflowException)
        {
            // Absurdly long timeouts: topics never expire.
            return TimeSpan.MaxValue;
        }
    }
}
