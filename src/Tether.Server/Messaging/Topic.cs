namespace Tether.Server.Messaging;

/// <summary>
/// One topic of an <see cref="InMemoryMessageBus"/>: ids 0, 1, 2... in publication order, a ring buffer of the last messages,
/// and the subscriptions to notify.
/// </summary>
/// <remarks>
/// <para><b>Writers</b> (publish, subscribe, unsubscribe, expiry) serialize on a short lock that is never held while
/// invoking callbacks. <b>Readers</b> take no lock: a publisher stores the message in its slot and only then publishes
/// the new <see cref="NextId"/> (release); a reader reads <see cref="NextId"/> first (acquire), so every id below it is
/// fully written.</para>
/// <para>The buffer starts empty and doubles (from 8 slots) up to its full length, one slot more than the number of
/// messages kept. Message <c>i</c> always sits at <c>i % buffer.Length</c>: the buffer grows exactly when it is full and not
/// yet at full length, so until then nothing is ever overwritten and an array that was replaced by a larger one is never
/// written again. Only a full-length buffer wraps. The spare slot is the one a publisher may be overwriting at any moment,
/// so the kept messages stay readable without a lock; a reader that falls further behind while it copies detects the
/// overwritten slots afterwards and drops them as a gap, exactly as if it had read a moment later.</para>
/// <para>Once <see cref="IsRemoved"/> (expired by the bus's sweep), a topic accepts no message or subscriber; callers
/// drop it from the bus's table and use a fresh topic, which has a new key.</para>
/// </remarks>
internal sealed class Topic
{
    private const int InitialCapacity = 8;

    private readonly Lock _lock = new();
    private readonly int _capacity;
    private readonly int _fullLength;
    private readonly TimeProvider _timeProvider;

    // Written under _lock; read without it through Volatile.
    private Message[] _buffer = [];
    private ulong _nextId;
    private InMemorySubscription[] _subscribers = [];
    private bool _removed;

    // Under _lock only.
    private int _writeIndex;
    private long _lastUsed;

    /// <summary>Creates an empty topic.</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="key">The short key that names this incarnation of the topic in cursors.</param>
    /// <param name="capacity">How many messages to keep at most (at least 1, less than <see cref="int.MaxValue"/>).</param>
    /// <param name="timeProvider">The clock of the idle time.</param>
    public Topic(string name, ulong key, int capacity, TimeProvider timeProvider)
    {
        Name = name;
        Key = key;
        _capacity = capacity;
        _fullLength = capacity + 1;
        _timeProvider = timeProvider;
        _lastUsed = timeProvider.GetTimestamp();
    }

    /// <summary>The topic name.</summary>
    public string Name { get; }

    /// <summary>The key of this incarnation in cursors; a topic re-created after expiry gets another one.</summary>
    public ulong Key { get; }

    /// <summary>The id the next message will get; every id below it can be read.</summary>
    public ulong NextId => Volatile.Read(ref _nextId);

    /// <summary>How many subscriptions are registered.</summary>
    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Whether the topic expired; it then takes no more messages or subscribers.</summary>
    public bool IsRemoved => Volatile.Read(ref _removed);

    /// <summary>How many slots the buffer has now (it grows lazily up to the capacity plus one).</summary>
    internal int BufferLength => Volatile.Read(ref _buffer).Length;

    /// <summary>Appends a message and notifies the subscribers.</summary>
    /// <param name="message">The message.</param>
    /// <returns><see langword="false"/> when the topic was removed; nothing was stored.</returns>
    public bool TryPublish(Message message)
    {
        InMemorySubscription[] subscribers;
        lock (_lock)
        {
            if (_removed)
            {
                return false;
            }

            Message[] buffer = _buffer;
            int index = _writeIndex;
            if (index == buffer.Length)
            {
                if (buffer.Length < _fullLength)
                {
                    // Full but not at full length: grow. Ids 0..index-1 keep their slots (id % newLength == id).
                    var grown = new Message[Math.Min(Math.Max(InitialCapacity, buffer.Length * 2), _fullLength)];
                    Array.Copy(buffer, grown, buffer.Length);
                    Volatile.Write(ref _buffer, grown);
                    buffer = grown;
                }
                else
                {
                    index = 0;
                }
            }

            buffer[index] = message;
            _writeIndex = index + 1;
            Volatile.Write(ref _nextId, _nextId + 1);
            subscribers = _subscribers;
        }

        foreach (InMemorySubscription subscriber in subscribers)
        {
            subscriber.Notify();
        }

        return true;
    }

    /// <summary>Copies unread messages from <paramref name="position"/> on into <paramref name="batch"/>, and advances it.</summary>
    /// <param name="position">The next id to read; moved past what was read, or past what fell out of the buffer.</param>
    /// <param name="batch">Receives the messages in id order.</param>
    /// <param name="maxMessages">The most messages to copy (positive).</param>
    /// <returns>How many messages were added to <paramref name="batch"/>.</returns>
    /// <remarks>Lock-free; one reader per position.</remarks>
    public int Read(ref ulong position, List<Message> batch, int maxMessages)
    {
        ulong next = Volatile.Read(ref _nextId);
        if (position >= next)
        {
            return 0;
        }

        // At least as new as the buffer that held id next-1 (see the remarks): every id in [oldest, next) is in it. Below
        // full length, next <= buffer.Length <= capacity, so oldest is 0.
        Message[] buffer = Volatile.Read(ref _buffer);
        ulong oldest = OldestKept(next);
        ulong from = position < oldest ? oldest : position;
        ulong available = next - from;
        int take = available > (ulong)maxMessages ? maxMessages : (int)available;

        int batchStart = batch.Count;
        int index = (int)(from % (ulong)buffer.Length);
        int first = Math.Min(take, buffer.Length - index);
        batch.AddRange(buffer.AsSpan(index, first));
        if (first < take)
        {
            batch.AddRange(buffer.AsSpan(0, take - first));
        }

        position = from + (ulong)take;
        if (buffer.Length < _fullLength)
        {
            // Below full length no slot is ever overwritten.
            return take;
        }

        // At full length, publishers may have overwritten slots while we copied. The publisher of id n writes its slot
        // (which held id n - capacity - 1, already outside the kept window) before it publishes NextId = n + 1. So with
        // NextId read as n after our copies (the fence orders them), every id from OldestKept(n) on is intact.
        Interlocked.MemoryBarrier();
        ulong firstIntact = OldestKept(Volatile.Read(ref _nextId));
        if (from >= firstIntact)
        {
            return take;
        }

        int lost = (int)Math.Min(firstIntact - from, (ulong)take);
        batch.RemoveRange(batchStart, lost);
        return take - lost;
    }

    /// <summary>Registers a subscription and chooses where it starts reading.</summary>
    /// <param name="subscriber">The subscription.</param>
    /// <param name="hasRequestedId">Whether <paramref name="requestedId"/> applies; otherwise it starts at "now".</param>
    /// <param name="requestedId">
    /// The first id wanted. Older than the oldest buffered message: the oldest (a gap, as in classic SignalR). Beyond
    /// <see cref="NextId"/>: also the oldest, which is classic behaviour for a cursor id beyond the topic's count (PROTOCOL §10).
    /// Such an id cannot come from this incarnation of the topic: it comes from an earlier incarnation (a
    /// <see cref="IMessageBus.GetNextId"/> position taken before the topic expired and was re-created), where every
    /// buffered message is newer than the position and so must be delivered, or from a forged or colliding cursor, where
    /// replaying the buffer is the classic answer.
    /// </param>
    /// <param name="position">Where the subscription starts.</param>
    /// <returns><see langword="false"/> when the topic was removed; nothing was registered.</returns>
    public bool TryAddSubscriber(InMemorySubscription subscriber, bool hasRequestedId, ulong requestedId, out ulong position)
    {
        lock (_lock)
        {
            if (_removed)
            {
                position = 0;
                return false;
            }

            ulong next = _nextId;
            if (hasRequestedId)
            {
                ulong oldest = OldestKept(next);
                position = requestedId < oldest || requestedId > next ? oldest : requestedId;
            }
            else
            {
                position = next;
            }

            InMemorySubscription[] current = _subscribers;
            var updated = new InMemorySubscription[current.Length + 1];
            current.CopyTo(updated, 0);
            updated[^1] = subscriber;
            Volatile.Write(ref _subscribers, updated);
            _lastUsed = _timeProvider.GetTimestamp();
            return true;
        }
    }

    /// <summary>Unregisters a subscription; the idle time starts when the last one leaves.</summary>
    /// <param name="subscriber">The subscription.</param>
    public void RemoveSubscriber(InMemorySubscription subscriber)
    {
        lock (_lock)
        {
            InMemorySubscription[] current = _subscribers;
            int index = Array.IndexOf(current, subscriber);
            if (index < 0)
            {
                return;
            }

            InMemorySubscription[] updated;
            if (current.Length == 1)
            {
                updated = [];
            }
            else
            {
                updated = new InMemorySubscription[current.Length - 1];
                Array.Copy(current, 0, updated, 0, index);
                Array.Copy(current, index + 1, updated, index, current.Length - index - 1);
            }

            Volatile.Write(ref _subscribers, updated);
            _lastUsed = _timeProvider.GetTimestamp();
        }
    }

    /// <summary>Reads <see cref="NextId"/> and restarts the idle time, so the topic outlives the position handed out.</summary>
    /// <param name="nextId">The next id.</param>
    /// <returns><see langword="false"/> when the topic was removed.</returns>
    public bool TryTouch(out ulong nextId)
    {
        lock (_lock)
        {
            nextId = _nextId;
            if (_removed)
            {
                return false;
            }

            _lastUsed = _timeProvider.GetTimestamp();
            return true;
        }
    }

    /// <summary>The oldest id still kept when <paramref name="next"/> is the next id.</summary>
    private ulong OldestKept(ulong next) => next > (ulong)_capacity ? next - (ulong)_capacity : 0;

    /// <summary>Marks the topic removed when it has had no subscriber (and no other use) for <paramref name="ttl"/>.</summary>
    /// <param name="now">The sweep's timestamp, from the same <see cref="TimeProvider"/>.</param>
    /// <param name="ttl">The time to live without subscribers.</param>
    /// <returns><see langword="true"/> when the topic is removed (now or before).</returns>
    public bool TryExpire(long now, TimeSpan ttl)
    {
        if (Volatile.Read(ref _subscribers).Length != 0)
        {
            return false;
        }

        lock (_lock)
        {
            if (_removed)
            {
                return true;
            }

            if (_subscribers.Length != 0 || _timeProvider.GetElapsedTime(_lastUsed, now) < ttl)
            {
                return false;
            }

            // The buffer is kept: a reader that raced with its own Dispose may still be reading it.
            Volatile.Write(ref _removed, true);
            return true;
        }
    }
}
