namespace Tether.Server.Messaging;

/// <summary>
/// One topic of a bus: its latest messages in increasing id order, bounded by count and by payload bytes, the
/// subscriptions to notify, and its expiry.
/// </summary>
/// <remarks>
/// <para>Every buffered message gets a sequence number 0, 1, 2... in the topic and sits at <c>seq % buffer.Length</c>;
/// messages <c>[Head, Next)</c> are kept. With dense ids (the in-process bus) the id is the sequence number; with sparse
/// ids (a scale-out bus) the ids only increase and a reader finds its place by binary search.</para>
/// <para><b>Writers</b> (append, trims, subscribe, unsubscribe, expiry) serialize on a short lock that is never held
/// while notifying or while taking another topic's lock. A writer only ever overwrites or clears the slot of a message
/// after it has moved <c>Head</c> past it (a full fence in between); a new slot is written before <c>Next</c> is
/// published (release), and a grown buffer is published before both.</para>
/// <para><b>Readers</b> take no lock: they read <c>Head</c>, <c>Next</c> and the buffer, copy, then re-read <c>Head</c>
/// after a fence. When it moved past where they started, a slot they copied may have been overwritten, so the copy is
/// discarded and tried again (under the lock after a few tries, which always succeeds).</para>
/// <para>The buffer starts empty and doubles (from 8 slots) up to the capacity, so idle topics cost little.</para>
/// </remarks>
internal sealed partial class BufferedTopic
{
    private const int InitialLength = 8;
    private const int LockFreeAttempts = 3;

    /// <summary>The first sequence number of a topic with sparse ids, so older messages can be put in front (see <see cref="TryPrepend"/>).</summary>
    private const ulong SparseOrigin = 1UL << 40;

    private readonly TopicSettings _settings;
    private readonly SubscriberSet _subscribers = new();

    // Written under Gate; read without it through Volatile.
    private StoredMessage[] _buffer = [];
    private ulong _head;
    private ulong _next;
    private ulong _lastId;
    private long _bytes;
    private bool _removed;
    private ulong _completeAfter = ulong.MaxValue;

    // Under Gate only.
    private long _lastUsed;

    /// <summary>Creates an empty topic.</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="key">The key that names the topic in cursors.</param>
    /// <param name="settings">The bus's settings.</param>
    public BufferedTopic(string name, ulong key, TopicSettings settings)
    {
        Name = name;
        Key = key;
        _settings = settings;
        _lastUsed = settings.Time.GetTimestamp();
        if (!settings.DenseIds)
        {
            _head = SparseOrigin;
            _next = SparseOrigin;
        }
    }

    /// <summary>The topic name.</summary>
    public string Name { get; }

    /// <summary>
    /// What writers lock: the subscriber set, which the topic owns for its whole life and never hands out. Monitor
    /// keeps an uncontended lock in the object's header, so a topic carries no lock object of its own (an idle
    /// connection's topic is one per connection).
    /// </summary>
    private SubscriberSet Gate => _subscribers;

    /// <summary>The key of the topic in cursors.</summary>
    public ulong Key { get; }

    /// <summary>The next sequence number; with dense ids, the id the next message gets.</summary>
    public ulong NextSeq => Volatile.Read(ref _next);

    /// <summary>The id of the latest message ever buffered, or 0.</summary>
    public ulong LastId => Volatile.Read(ref _lastId);

    /// <summary>The payload bytes kept now.</summary>
    public long BufferedBytes => Volatile.Read(ref _bytes);

    /// <summary>How many messages are kept now.</summary>
    public int Count
    {
        get
        {
            // The head first: it never passes the next sequence number read after it.
            ulong head = Volatile.Read(ref _head);
            return (int)(Volatile.Read(ref _next) - head);
        }
    }

    /// <summary>How many subscriptions are registered.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (Gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Whether the topic expired; it then takes no more messages or subscribers.</summary>
    public bool IsRemoved => Volatile.Read(ref _removed);

    /// <summary>How many slots the buffer has now.</summary>
    internal int BufferLength => Volatile.Read(ref _buffer).Length;

    /// <summary>Buffers a message, dropping the oldest as the count and byte bounds require, then notifies the subscribers.</summary>
    /// <param name="id">The message's id; ignored with dense ids (the topic assigns it). Must exceed every earlier id.</param>
    /// <param name="message">The message.</param>
    /// <param name="notify">Whether to notify the subscribers now; otherwise the caller calls <see cref="NotifySubscribers"/> later.</param>
    /// <returns><see langword="false"/> when the topic was removed; nothing was stored.</returns>
    public bool TryAppend(ulong id, Message message, bool notify)
    {
        TopicSubscription?[] slots;
        int used;
        ulong seq;
        lock (Gate)
        {
            if (_removed)
            {
                return false;
            }

            seq = _next;
            int length = message.Payload.Length;
            if (seq - _head == (ulong)_settings.Capacity)
            {
                TrimTo(_head + 1, DropReason.Count);
            }

            ulong keep = _head;
            long bytes = _bytes;
            while (keep < seq && bytes + length > _settings.MaxBytes)
            {
                bytes -= _buffer[Slot(_buffer, keep)].Message.Payload.Length;
                keep++;
            }

            TrimTo(keep, DropReason.TopicBytes);
            StoredMessage[] buffer = _buffer;
            if (seq - _head == (ulong)buffer.Length)
            {
                buffer = Grow(buffer);
            }

            ulong assigned = _settings.DenseIds ? seq : id;
            buffer[Slot(buffer, seq)] = new StoredMessage(assigned, message);
            _bytes += length;
            _settings.Budget.Added(length);
            Volatile.Write(ref _lastId, assigned);
            Volatile.Write(ref _next, seq + 1);
            if (_settings.AppendKeepsAlive)
            {
                _lastUsed = _settings.Time.GetTimestamp();
            }

            slots = _subscribers.Snapshot(out used);
        }

        _settings.Budget.Record(this, seq);
        if (notify)
        {
            SubscriberSet.NotifyAll(slots, used);
        }

        return true;
    }

    /// <summary>Notifies every subscriber (for a caller that appended with <c>notify: false</c>). Call without locks held.</summary>
    public void NotifySubscribers()
    {
        TopicSubscription?[] slots;
        int used;
        lock (Gate)
        {
            slots = _subscribers.Snapshot(out used);
        }

        SubscriberSet.NotifyAll(slots, used);
    }

    /// <summary>Copies kept messages with ids in [<paramref name="from"/>, <paramref name="upTo"/>) into a sink, within a budget.</summary>
    /// <typeparam name="TSink">The sink type.</typeparam>
    /// <param name="from">The first id wanted; older ones that were dropped are skipped (a gap).</param>
    /// <param name="upTo">The first id not wanted (<see cref="ulong.MaxValue"/> for all).</param>
    /// <param name="sink">Receives the messages in id order.</param>
    /// <param name="budget">What may still be taken; reduced by what was taken.</param>
    /// <param name="exhausted">Whether every message in the range was taken (otherwise the budget ran out).</param>
    /// <returns>Where to read next: after the last message taken, or the end of the range when exhausted.</returns>
    public ulong Read<TSink>(ulong from, ulong upTo, ref TSink sink, ref ReadBudget budget, out bool exhausted)
        where TSink : struct, IMessageSink
    {
        int mark = sink.Count;
        ReadBudget saved = budget;
        for (int attempt = 1; attempt < LockFreeAttempts; attempt++)
        {
            if (TryRead(from, upTo, ref sink, ref budget, validate: true, out exhausted, out ulong resume))
            {
                return resume;
            }

            sink.Truncate(mark);
            budget = saved;
        }

        lock (Gate)
        {
            TryRead(from, upTo, ref sink, ref budget, validate: false, out exhausted, out ulong resume);
            return resume;
        }
    }

    /// <summary>How many kept messages have ids in [<paramref name="from"/>, <paramref name="upTo"/>).</summary>
    /// <param name="from">The first id.</param>
    /// <param name="upTo">The first id not counted.</param>
    /// <returns>The count.</returns>
    public long CountUnread(ulong from, ulong upTo)
    {
        if (_settings.DenseIds && upTo == ulong.MaxValue)
        {
            // Ids are sequence numbers: no search, no lock (an estimate while publishers run, as readers need).
            ulong head = Volatile.Read(ref _head);
            ulong next = Volatile.Read(ref _next);
            ulong start = Math.Max(from, head);
            return next > start ? (long)(next - start) : 0;
        }

        if (LastId < from)
        {
            return 0;
        }

        lock (Gate)
        {
            ulong start = FindStart(_buffer, _head, _next, from);
            ulong end = upTo == ulong.MaxValue ? _next : FindStart(_buffer, start, _next, upTo);
            return (long)(end - start);
        }
    }

    /// <summary>Registers a subscription.</summary>
    /// <param name="subscriber">The subscription.</param>
    /// <param name="slot">Its slot, for <see cref="RemoveSubscriber"/>.</param>
    /// <param name="oldestId">The id of the oldest kept message, or the next id when none is kept (dense ids).</param>
    /// <param name="nextSeq">The next sequence number.</param>
    /// <returns><see langword="false"/> when the topic was removed; nothing was registered.</returns>
    public bool TryAddSubscriber(TopicSubscription subscriber, out int slot, out ulong oldestId, out ulong nextSeq)
    {
        lock (Gate)
        {
            nextSeq = _next;
            oldestId = _head < _next ? _buffer[Slot(_buffer, _head)].Id : nextSeq;
            if (_removed)
            {
                slot = -1;
                return false;
            }

            slot = _subscribers.Add(subscriber);
            _lastUsed = _settings.Time.GetTimestamp();
            return true;
        }
    }

    /// <summary>Unregisters a subscription; the idle time starts when the last one leaves.</summary>
    /// <param name="subscriber">The subscription.</param>
    /// <param name="slot">The slot <see cref="TryAddSubscriber"/> gave it.</param>
    public void RemoveSubscriber(TopicSubscription subscriber, int slot)
    {
        lock (Gate)
        {
            if (_subscribers.Remove(subscriber, slot))
            {
                _lastUsed = _settings.Time.GetTimestamp();
            }
        }
    }

    /// <summary>Restarts the idle time, so the topic outlives a position handed out.</summary>
    /// <returns><see langword="false"/> when the topic was removed.</returns>
    public bool TryTouch()
    {
        lock (Gate)
        {
            _lastUsed = _settings.Time.GetTimestamp();
            return !_removed;
        }
    }

    /// <summary>Whether the message with this sequence number is still kept.</summary>
    /// <param name="seq">The sequence number.</param>
    /// <returns><see langword="true"/> when kept.</returns>
    public bool Holds(ulong seq) => seq >= Volatile.Read(ref _head) && !Volatile.Read(ref _removed);

    /// <summary>Drops every message up to and including <paramref name="seq"/> for the bus's byte budget.</summary>
    /// <param name="seq">The sequence number of the oldest message in the bus.</param>
    public void EvictThrough(ulong seq)
    {
        lock (Gate)
        {
            TrimTo(Math.Min(seq + 1, _next), DropReason.Evicted);
        }
    }

    /// <summary>Marks the topic removed, and drops its messages, when it has had no subscriber (and no other use) for <paramref name="ttl"/>.</summary>
    /// <param name="now">The sweep's timestamp, from the same clock.</param>
    /// <param name="ttl">The time to live without subscribers.</param>
    /// <returns><see langword="true"/> when the topic is removed (now or before).</returns>
    public bool TryExpire(long now, TimeSpan ttl)
    {
        lock (Gate)
        {
            if (_removed)
            {
                return true;
            }

            if (_subscribers.Count != 0 || _settings.Time.GetElapsedTime(_lastUsed, now) < ttl)
            {
                return false;
            }

            Volatile.Write(ref _removed, true);
            TrimTo(_next, DropReason.Expired);
            return true;
        }
    }

    private static int Slot(StoredMessage[] buffer, ulong seq) => (int)(seq % (ulong)buffer.Length);

    private bool TryRead<TSink>(ulong from, ulong upTo, ref TSink sink, ref ReadBudget budget, bool validate, out bool exhausted, out ulong resume)
        where TSink : struct, IMessageSink
    {
        // The buffer last: it is at least as new as the one that held the head and the newest message read before it.
        ulong head = Volatile.Read(ref _head);
        ulong next = Volatile.Read(ref _next);
        StoredMessage[] buffer = Volatile.Read(ref _buffer);
        ulong start = FindStart(buffer, Math.Min(head, next), next, from);
        ulong lastTaken = 0;
        bool taken = false;
        exhausted = true;
        for (ulong seq = start; seq < next; seq++)
        {
            StoredMessage stored = buffer[Slot(buffer, seq)];
            if (stored.Message is null || stored.Id < from)
            {
                // Cleared or overwritten while we read: the head moved past it.
                resume = from;
                return false;
            }

            if (stored.Id >= upTo)
            {
                break;
            }

            if (!budget.TryTake(stored.Message.Payload.Length))
            {
                exhausted = false;
                break;
            }

            sink.Add(stored);
            lastTaken = stored.Id;
            taken = true;
        }

        resume = !exhausted ? (taken ? lastTaken + 1 : from) : _settings.DenseIds ? Math.Min(next, upTo) : upTo;
        if (validate)
        {
            Interlocked.MemoryBarrier();
            return Volatile.Read(ref _head) <= start;
        }

        return true;
    }

    /// <summary>The first sequence number in [<paramref name="head"/>, <paramref name="next"/>) whose id is at least <paramref name="id"/>.</summary>
    private ulong FindStart(StoredMessage[] buffer, ulong head, ulong next, ulong id)
    {
        if (_settings.DenseIds)
        {
            return Math.Clamp(id, head, next);
        }

        ulong low = head;
        ulong high = next;
        while (low < high)
        {
            ulong mid = low + ((high - low) / 2);
            if (buffer[Slot(buffer, mid)].Id < id)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private StoredMessage[] Grow(StoredMessage[] buffer)
    {
        var grown = new StoredMessage[Math.Min(Math.Max(InitialLength, buffer.Length * 2), _settings.Capacity)];
        for (ulong seq = _head; seq < _next; seq++)
        {
            grown[Slot(grown, seq)] = buffer[Slot(buffer, seq)];
        }

        Volatile.Write(ref _buffer, grown);
        return grown;
    }

    /// <summary>Drops the messages before <paramref name="head"/>. Under the lock.</summary>
    private void TrimTo(ulong head, DropReason reason)
    {
        ulong old = _head;
        if (head <= old)
        {
            return;
        }

        StoredMessage[] buffer = _buffer;
        long bytes = 0;
        for (ulong seq = old; seq < head; seq++)
        {
            bytes += buffer[Slot(buffer, seq)].Message.Payload.Length;
        }

        // Readers must see the head move before they can see a cleared slot (see the remarks).
        Volatile.Write(ref _head, head);
        Interlocked.MemoryBarrier();
        for (ulong seq = old; seq < head; seq++)
        {
            buffer[Slot(buffer, seq)] = default;
        }

        _bytes -= bytes;
        _settings.Budget.Removed((int)(head - old), bytes, reason);
    }
}
