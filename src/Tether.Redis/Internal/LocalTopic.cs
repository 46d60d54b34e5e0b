using Tether.Server.Messaging;

namespace Tether.Redis.Internal;

/// <summary>One message of a <see cref="LocalTopic"/> with its global id.</summary>
internal readonly record struct StoredMessage(ulong Id, Message Message);

/// <summary>
/// A node's copy of one topic: the latest messages in increasing global id order (ids are sparse: a topic holds only the
/// cluster's messages for it), and the local subscriptions to notify.
/// </summary>
/// <remarks>
/// <para>Messages are appended by the bus's intake, in global id order, under the topic's short lock; readers copy under
/// the same lock. The buffer starts small and doubles up to its capacity, then wraps, so idle topics cost little.</para>
/// <para>Once <see cref="IsRemoved"/> (expired: no subscriber and no message for the topic time to live), the topic takes no message or
/// subscriber; callers drop it from the bus's table and use a fresh one.</para>
/// </remarks>
internal sealed class LocalTopic
{
    private const int InitialCapacity = 8;

    private readonly Lock _lock = new();
    private readonly int _capacity;
    private readonly TimeProvider _time;

    // Under _lock.
    private StoredMessage[] _buffer = [];
    private int _start;
    private int _count;
    private long _lastUsed;
    private bool _removed;

    // Written under _lock, read without it.
    private RedisSubscription[] _subscribers = [];
    private ulong _lastId;

    public LocalTopic(string name, int capacity, TimeProvider time)
    {
        Name = name;
        Key = ScaleoutCursor.TopicKey(name);
        _capacity = capacity;
        _time = time;
        _lastUsed = time.GetTimestamp();
    }

    /// <summary>The topic name.</summary>
    public string Name { get; }

    /// <summary>The topic's key in cursors.</summary>
    public ulong Key { get; }

    /// <summary>The id of the latest message, or 0.</summary>
    public ulong LastId => Volatile.Read(ref _lastId);

    /// <summary>Whether the topic expired.</summary>
    public bool IsRemoved => Volatile.Read(ref _removed);

    /// <summary>How many subscriptions are registered.</summary>
    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Appends a message; ids must increase.</summary>
    /// <param name="id">The global id.</param>
    /// <param name="message">The message.</param>
    /// <param name="subscribers">The subscriptions to notify (without any lock held).</param>
    /// <returns><see langword="false"/> when the topic was removed; nothing was stored.</returns>
    public bool TryAppend(ulong id, Message message, out RedisSubscription[] subscribers)
    {
        lock (_lock)
        {
            if (_removed)
            {
                subscribers = [];
                return false;
            }

            if (_count == _buffer.Length && _buffer.Length < _capacity)
            {
                var grown = new StoredMessage[Math.Min(Math.Max(InitialCapacity, _buffer.Length * 2), _capacity)];
                for (int i = 0; i < _count; i++)
                {
                    grown[i] = _buffer[(_start + i) % _buffer.Length];
                }

                _buffer = grown;
                _start = 0;
            }

            if (_count == _buffer.Length)
            {
                _buffer[_start] = new StoredMessage(id, message);
                _start = (_start + 1) % _buffer.Length;
            }
            else
            {
                _buffer[(_start + _count) % _buffer.Length] = new StoredMessage(id, message);
                _count++;
            }

            Volatile.Write(ref _lastId, id);

            // A topic that still gets messages stays: a client may move here from another node and resume it.
            _lastUsed = _time.GetTimestamp();
            subscribers = _subscribers;
            return true;
        }
    }

    /// <summary>Copies the messages with ids in (<paramref name="after"/>, <paramref name="upTo"/>], oldest first.</summary>
    /// <param name="after">The last id already read.</param>
    /// <param name="upTo">The last id that may be read.</param>
    /// <param name="into">Receives the messages.</param>
    /// <param name="max">The most messages to copy.</param>
    /// <returns>Whether more messages in the range were left because of <paramref name="max"/>.</returns>
    public bool Read(ulong after, ulong upTo, List<StoredMessage> into, int max)
    {
        if (Volatile.Read(ref _lastId) <= after || max <= 0)
        {
            return false;
        }

        lock (_lock)
        {
            int i = FirstAfter(after);
            int taken = 0;
            for (; i < _count; i++)
            {
                StoredMessage stored = _buffer[(_start + i) % _buffer.Length];
                if (stored.Id > upTo)
                {
                    return false;
                }

                if (taken == max)
                {
                    return true;
                }

                into.Add(stored);
                taken++;
            }

            return false;
        }
    }

    /// <summary>How many messages have ids in (<paramref name="after"/>, <paramref name="upTo"/>].</summary>
    /// <param name="after">The last id already read.</param>
    /// <param name="upTo">The last id that may be read.</param>
    /// <returns>The count.</returns>
    public int CountBetween(ulong after, ulong upTo)
    {
        if (Volatile.Read(ref _lastId) <= after)
        {
            return 0;
        }

        lock (_lock)
        {
            int from = FirstAfter(after);
            int to = FirstAfter(upTo);
            return Math.Max(0, to - from);
        }
    }

    /// <summary>Registers a subscription.</summary>
    /// <param name="subscriber">The subscription.</param>
    /// <returns><see langword="false"/> when the topic was removed.</returns>
    public bool TryAddSubscriber(RedisSubscription subscriber)
    {
        lock (_lock)
        {
            if (_removed)
            {
                return false;
            }

            RedisSubscription[] current = _subscribers;
            var updated = new RedisSubscription[current.Length + 1];
            current.CopyTo(updated, 0);
            updated[^1] = subscriber;
            Volatile.Write(ref _subscribers, updated);
            _lastUsed = _time.GetTimestamp();
            return true;
        }
    }

    /// <summary>Unregisters a subscription; the idle time starts when the last one leaves.</summary>
    /// <param name="subscriber">The subscription.</param>
    public void RemoveSubscriber(RedisSubscription subscriber)
    {
        lock (_lock)
        {
            RedisSubscription[] current = _subscribers;
            int index = Array.IndexOf(current, subscriber);
            if (index < 0)
            {
                return;
            }

            var updated = new RedisSubscription[current.Length - 1];
            Array.Copy(current, 0, updated, 0, index);
            Array.Copy(current, index + 1, updated, index, current.Length - index - 1);
            Volatile.Write(ref _subscribers, updated);
            _lastUsed = _time.GetTimestamp();
        }
    }

    /// <summary>Restarts the idle time.</summary>
    /// <returns><see langword="false"/> when the topic was removed.</returns>
    public bool TryTouch()
    {
        lock (_lock)
        {
            _lastUsed = _time.GetTimestamp();
            return !_removed;
        }
    }

    /// <summary>Marks the topic removed when it has had no subscriber (and no other use) for <paramref name="ttl"/>.</summary>
    /// <param name="now">The sweep's timestamp.</param>
    /// <param name="ttl">The time to live without subscribers.</param>
    /// <returns><see langword="true"/> when the topic is removed.</returns>
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

            if (_subscribers.Length != 0 || _time.GetElapsedTime(_lastUsed, now) < ttl)
            {
                return false;
            }

            Volatile.Write(ref _removed, true);
            return true;
        }
    }

    /// <summary>The logical index of the first kept message with an id above <paramref name="id"/> (binary search).</summary>
    private int FirstAfter(ulong id)
    {
        int low = 0;
        int high = _count;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (_buffer[(_start + mid) % _buffer.Length].Id <= id)
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
}
