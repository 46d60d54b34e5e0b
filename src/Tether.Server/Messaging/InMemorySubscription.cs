namespace Tether.Server.Messaging;

/// <summary>A subscription of an <see cref="InMemoryMessageBus"/>: a position per covered topic, and the availability callback.</summary>
/// <remarks>
/// <para>The reader-side state (positions, the cached cursor, the fair starting topic) belongs to the one reader and takes
/// no lock. Changes to the set of topics (<see cref="AddTopic"/>, <see cref="RemoveTopic"/>) and <see cref="Dispose"/>
/// serialize on a private gate so that no topic is registered after disposal; the gate is taken before a topic's lock,
/// never the other way round.</para>
/// <para>The callback may still run once shortly after <see cref="Dispose"/> returns (a publisher that read the subscriber
/// list just before); the contract only asks it to be fast, so that is harmless.</para>
/// </remarks>
internal sealed class InMemorySubscription : IMessageSubscription
{
    /// <summary>Above this many topics × cursor entries, the cursor is indexed in a dictionary instead of scanned per topic.</summary>
    private const int LinearLookupLimit = 256;

    private readonly InMemoryMessageBus _bus;
    private readonly Action _onMessagesAvailable;
    private readonly Lock _gate = new();

    private Entry[] _entries;
    private int _count;
    private int _readStart;
    private string? _cursor;
    private bool _disposed;

    /// <summary>Creates a subscription with no topic; <see cref="Start"/> registers them.</summary>
    /// <param name="bus">The bus.</param>
    /// <param name="onMessagesAvailable">The availability callback.</param>
    /// <param name="capacity">The expected number of topics (also used to choose how the cursor is matched).</param>
    public InMemorySubscription(InMemoryMessageBus bus, Action onMessagesAvailable, int capacity)
    {
        _bus = bus;
        _onMessagesAvailable = onMessagesAvailable;
        _entries = new Entry[Math.Max(capacity, 1)];
    }

    /// <inheritdoc/>
    public string Cursor => _cursor ??= BuildCursor();

    /// <summary>Registers the initial topics at their cursor positions, then signals if anything is already unread.</summary>
    /// <param name="topics">The topics (duplicates are ignored).</param>
    /// <param name="cursor">The client's cursor; foreign, malformed or <see langword="null"/> means "now" everywhere.</param>
    public void Start(IEnumerable<string> topics, string? cursor)
    {
        bool usable = CursorCodec.TryGetEntries(cursor, _bus.ProcessId, out ReadOnlySpan<char> cursorEntries, out int cursorCount);
        usable &= cursorCount > 0;

        // A few topics and entries (the usual case: broadcast, connection, a group or two) are matched by scanning.
        Dictionary<ulong, ulong>? index = usable && (long)cursorCount * _entries.Length > LinearLookupLimit
            ? BuildIndex(cursorEntries, cursorCount)
            : null;
        try
        {
            foreach (string name in topics)
            {
                ArgumentException.ThrowIfNullOrEmpty(name, nameof(topics));
                while (true)
                {
                    Topic topic = _bus.GetOrCreateTopic(name);
                    if (IndexOf(topic) >= 0)
                    {
                        break;
                    }

                    // The key belongs to this incarnation of the topic: a cursor naming an expired one finds no match ("now").
                    ulong requested = 0;
                    bool found = usable && (index is not null
                        ? index.TryGetValue(topic.Key, out requested)
                        : TryFind(cursorEntries, topic.Key, out requested));

                    if (topic.TryAddSubscriber(this, found, requested, out ulong position))
                    {
                        Append(topic, position);
                        break;
                    }

                    _bus.ForgetRemovedTopic(topic);
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        if (HasUnread())
        {
            Notify();
        }
    }

    /// <inheritdoc/>
    /// <inheritdoc/>
    public long UnreadCount
    {
        get
        {
            long unread = 0;
            Entry[] entries = _entries;
            int count = Math.Min(_count, entries.Length);
            for (int i = 0; i < count; i++)
            {
                // Read from another thread than the reader's: RemoveTopic may be shifting entries and clearing the
                // last one right now, so an entry can be empty (benign: the count is an estimate for back-pressure).
                Topic? topic = entries[i].Topic;
                if (topic is null)
                {
                    continue;
                }

                ulong next = topic.NextId;
                ulong position = entries[i].Position;
                if (next > position)
                {
                    unread += (long)Math.Min(next - position, (ulong)topic.BufferLength);
                }
            }

            return unread;
        }
    }

    public int Read(List<Message> batch, int maxMessages)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int count = _count;
        if (maxMessages <= 0 || count == 0 || Volatile.Read(ref _disposed))
        {
            return 0;
        }

        // Fairness: each read starts at the next topic, so a busy topic that fills every batch cannot starve the others.
        int start = _readStart < count ? _readStart : 0;
        _readStart = start + 1 < count ? start + 1 : 0;

        Entry[] entries = _entries;
        int total = 0;
        bool moved = false;
        for (int n = 0; n < count && total < maxMessages; n++)
        {
            int i = start + n;
            if (i >= count)
            {
                i -= count;
            }

            ref Entry entry = ref entries[i];
            ulong before = entry.Position;
            total += entry.Topic.Read(ref entry.Position, batch, maxMessages - total);
            moved |= entry.Position != before;
        }

        if (moved)
        {
            _cursor = null;
        }

        return total;
    }

    /// <inheritdoc/>
    public void AddTopic(string topic, ulong startId)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        bool unread;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            Topic added;
            ulong position;
            while (true)
            {
                added = _bus.GetOrCreateTopic(topic);
                if (IndexOf(added) >= 0)
                {
                    // Already covered: keep the current position, which neither loses nor repeats anything.
                    return;
                }

                if (added.TryAddSubscriber(this, hasRequestedId: true, startId, out position))
                {
                    break;
                }

                _bus.ForgetRemovedTopic(added);
            }

            Append(added, position);
            _cursor = null;
            unread = added.NextId > position;
        }

        if (unread)
        {
            Notify();
        }
    }

    /// <inheritdoc/>
    public void RemoveTopic(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            int i = 0;
            while (i < _count && !string.Equals(_entries[i].Topic.Name, topic, StringComparison.Ordinal))
            {
                i++;
            }

            if (i == _count)
            {
                return;
            }

            Topic removed = _entries[i].Topic;
            Array.Copy(_entries, i + 1, _entries, i, _count - i - 1);
            _count--;
            _entries[_count] = default;
            _cursor = null;
            removed.RemoveSubscriber(this);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Unregisters from every topic. <see cref="Cursor"/> stays readable; <see cref="Read"/> returns 0.</remarks>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            Volatile.Write(ref _disposed, true);
        }

        // No topic can be added or removed any more (both check _disposed under the gate).
        for (int i = 0; i < _count; i++)
        {
            _entries[i].Topic.RemoveSubscriber(this);
        }
    }

    /// <summary>Invokes the availability callback unless disposed. Called by publishers without any lock held.</summary>
    internal void Notify()
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        try
        {
            _onMessagesAvailable();
        }
#pragma warning disable CA1031 // The contract forbids the callback to throw; one that does must not stop other subscribers or fail the publisher.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static bool TryFind(ReadOnlySpan<char> entries, ulong key, out ulong id)
    {
        // The cursor was validated as a whole; the first entry for a key wins.
        while (CursorCodec.TryReadEntry(ref entries, out ulong entryKey, out ulong entryId))
        {
            if (entryKey == key)
            {
                id = entryId;
                return true;
            }

            if (entries.IsEmpty)
            {
                break;
            }
        }

        id = 0;
        return false;
    }

    private static Dictionary<ulong, ulong> BuildIndex(ReadOnlySpan<char> entries, int count)
    {
        var index = new Dictionary<ulong, ulong>(count);
        while (!entries.IsEmpty && CursorCodec.TryReadEntry(ref entries, out ulong key, out ulong id))
        {
            index.TryAdd(key, id);
        }

        return index;
    }

    private bool HasUnread()
    {
        for (int i = 0; i < _count; i++)
        {
            if (_entries[i].Topic.NextId > _entries[i].Position)
            {
                return true;
            }
        }

        return false;
    }

    private int IndexOf(Topic topic)
    {
        for (int i = 0; i < _count; i++)
        {
            if (ReferenceEquals(_entries[i].Topic, topic))
            {
                return i;
            }
        }

        return -1;
    }

    private void Append(Topic topic, ulong position)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        _entries[_count++] = new Entry { Topic = topic, Position = position };
    }

    private string BuildCursor()
    {
        string processHex = _bus.ProcessHex;
        int length = CursorCodec.HeaderLength(processHex) + Math.Max(_count - 1, 0);
        for (int i = 0; i < _count; i++)
        {
            length += CursorCodec.EntryLength(_entries[i].Topic.Key, _entries[i].Position);
        }

        return string.Create(length, this, static (span, subscription) =>
        {
            int written = CursorCodec.WriteHeader(span, subscription._bus.ProcessHex);
            for (int i = 0; i < subscription._count; i++)
            {
                if (i > 0)
                {
                    span[written++] = '|';
                }

                ref Entry entry = ref subscription._entries[i];
                written += CursorCodec.WriteEntry(span[written..], entry.Topic.Key, entry.Position);
            }
        });
    }

    private struct Entry
    {
        public Topic Topic;
        public ulong Position;
    }
}
