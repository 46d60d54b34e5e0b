namespace Tether.Server.Messaging;

/// <summary>
/// The byte budget all topics of one bus share (<see cref="PersistentConnectionOptions.MaxBufferedBytes"/>), and the
/// bus's counters of buffered and dropped messages.
/// </summary>
/// <remarks>
/// <para><b>Eviction policy: oldest first across topics.</b> Every buffered message is recorded, in the order it was
/// buffered, in one queue. When the total goes over the budget, the publisher that went over takes the oldest record
/// and has its topic drop every message up to and including that one, and so on until the total fits. A topic may be
/// emptied this way (otherwise many topics of one large message each would escape the budget); its readers see a gap,
/// exactly as when a ring drops its oldest message.</para>
/// <para>Records of messages their topic already dropped (by count, by its own byte bound, or expiry) stay in the queue
/// until they reach its front or until the queue holds more than twice the live messages plus a constant, when one
/// pass drops them all. Recording and evicting are therefore O(1) amortized per publication, and allocation-free once
/// the queue has grown to its working size. The queue's lock is short and never held while a topic's lock is taken.</para>
/// </remarks>
internal sealed class BufferBudget
{
    /// <summary>Stale records tolerated beyond twice the live messages before the queue is compacted.</summary>
    private const int CompactionSlack = 64;

    private readonly Lock _lock = new();
    private readonly Queue<(BufferedTopic Topic, ulong Seq)> _order = new();
    private readonly long _maxBytes;
    private long _bytes;
    private long _messages;
    private long _evicted;
    private long _trimmedForBytes;
    private long _unbuffered;

    /// <summary>Creates a budget.</summary>
    /// <param name="maxBytes">The most payload bytes all topics keep together.</param>
    public BufferBudget(long maxBytes) => _maxBytes = Math.Max(1, maxBytes);

    /// <summary>The payload bytes all topics keep now.</summary>
    public long BufferedBytes => Volatile.Read(ref _bytes);

    /// <summary>How many messages all topics keep now.</summary>
    public long BufferedMessages => Volatile.Read(ref _messages);

    /// <summary>Messages dropped to keep the total within the budget (oldest first across topics).</summary>
    public long EvictedMessages => Volatile.Read(ref _evicted);

    /// <summary>Messages a topic dropped to stay within its own byte bound.</summary>
    public long TrimmedForTopicBytes => Volatile.Read(ref _trimmedForBytes);

    /// <summary>Messages published to a topic that did not exist and had no reader here, so they were never buffered.</summary>
    public long UnbufferedMessages => Volatile.Read(ref _unbuffered);

    /// <summary>Counts a message that was not buffered because nobody reads its topic here.</summary>
    public void CountUnbuffered() => Interlocked.Increment(ref _unbuffered);

    /// <summary>Accounts for a message a topic just buffered. Called under that topic's lock.</summary>
    /// <param name="length">Its payload length.</param>
    public void Added(int length)
    {
        Interlocked.Add(ref _bytes, length);
        Interlocked.Increment(ref _messages);
    }

    /// <summary>Accounts for messages a topic just dropped. Called under that topic's lock.</summary>
    /// <param name="count">How many.</param>
    /// <param name="bytes">Their payload bytes.</param>
    /// <param name="reason">Why, for the counters.</param>
    public void Removed(int count, long bytes, DropReason reason)
    {
        Interlocked.Add(ref _bytes, -bytes);
        Interlocked.Add(ref _messages, -count);
        if (reason == DropReason.Evicted)
        {
            Interlocked.Add(ref _evicted, count);
        }
        else if (reason == DropReason.TopicBytes)
        {
            Interlocked.Add(ref _trimmedForBytes, count);
        }
    }

    /// <summary>Records a buffered message in eviction order, then evicts while over the budget. Called without locks held.</summary>
    /// <param name="topic">Its topic.</param>
    /// <param name="seq">Its sequence number in the topic.</param>
    public void Record(BufferedTopic topic, ulong seq)
    {
        lock (_lock)
        {
            _order.Enqueue((topic, seq));
            if (_order.Count > (2 * Volatile.Read(ref _messages)) + CompactionSlack)
            {
                Compact();
            }
        }

        while (Volatile.Read(ref _bytes) > _maxBytes)
        {
            (BufferedTopic Topic, ulong Seq) oldest;
            lock (_lock)
            {
                if (!_order.TryDequeue(out oldest))
                {
                    return;
                }
            }

            oldest.Topic.EvictThrough(oldest.Seq);
        }
    }

    private void Compact()
    {
        for (int n = _order.Count; n > 0; n--)
        {
            (BufferedTopic Topic, ulong Seq) record = _order.Dequeue();
            if (record.Topic.Holds(record.Seq))
            {
                _order.Enqueue(record);
            }
        }
    }
}

/// <summary>Why a topic dropped messages.</summary>
internal enum DropReason
{
    /// <summary>The topic kept its most recent messages by count.</summary>
    Count,

    /// <summary>The topic stayed within its own byte bound.</summary>
    TopicBytes,

    /// <summary>All topics together stayed within the bus's byte budget.</summary>
    Evicted,

    /// <summary>The topic expired.</summary>
    Expired,
}
