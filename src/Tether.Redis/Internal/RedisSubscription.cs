using Tether.Server.Messaging;

namespace Tether.Redis.Internal;

/// <summary>
/// A subscription of a <see cref="RedisMessageBus"/>: one shared position in the global id sequence for all its topics,
/// plus a position of their own for topics that joined late or ahead (a group added at a <see cref="IMessageBus.GetNextId"/>
/// position), and the availability callback.
/// </summary>
/// <remarks>
/// <para>The shared position P means: every message of the covered topics with a global id up to P has been read.
/// A read takes the messages after P up to the node's applied id, merged across topics in global id order, so the
/// cursor written after them (<see cref="ScaleoutCursor"/>) is exact whatever node reads it next.</para>
/// <para>Reader-side state belongs to the one reader and takes no lock; <see cref="AddTopic"/>, <see cref="RemoveTopic"/>
/// (called by that reader) and <see cref="Dispose"/> serialize on a private gate.</para>
/// </remarks>
internal sealed class RedisSubscription : IMessageSubscription
{
    private readonly RedisMessageBus _bus;
    private readonly Action _onMessagesAvailable;
    private readonly Lock _gate = new();
    private readonly List<StoredMessage> _scratch = [];

    private Entry[] _entries;
    private int _count;
    private ulong _position;
    private string? _cursor;
    private bool _disposed;

    public RedisSubscription(RedisMessageBus bus, Action onMessagesAvailable, int capacity)
    {
        _bus = bus;
        _onMessagesAvailable = onMessagesAvailable;
        _entries = new Entry[Math.Max(capacity, 1)];
    }

    /// <inheritdoc/>
    public string Cursor => _cursor ??= BuildCursor();

    /// <summary>The shared position (for tests).</summary>
    internal ulong Position => _position;

    /// <inheritdoc/>
    public long UnreadCount
    {
        get
        {
            ulong applied = _bus.AppliedId;
            long unread = 0;
            Entry[] entries = _entries;
            int count = Math.Min(_count, entries.Length);
            for (int i = 0; i < count; i++)
            {
                // Read from another thread than the reader's: RemoveTopic may be shifting entries and clearing the
                // last one right now, so an entry can be empty (benign: the count is an estimate for back-pressure).
                Entry entry = entries[i];
                if (entry.Topic is null)
                {
                    continue;
                }

                ulong from = entry.HasOwn ? entry.Own : _position;
                if (applied > from)
                {
                    unread += entry.Topic.CountBetween(from, applied);
                }
            }

            return unread;
        }
    }

    /// <summary>Registers the initial topics at the cursor's positions, then signals if anything is already unread.</summary>
    /// <param name="topics">The topics (duplicates are ignored).</param>
    /// <param name="cursor">The client's cursor; foreign, malformed or <see langword="null"/> means "now".</param>
    public void Start(IEnumerable<string> topics, string? cursor)
    {
        Dictionary<ulong, ulong>? overrides = null;
        if (!ScaleoutCursor.TryParse(cursor, _bus.ClusterTag, out _position, out overrides))
        {
            _position = _bus.AppliedId;
        }

        try
        {
            foreach (string name in topics)
            {
                ArgumentException.ThrowIfNullOrEmpty(name, nameof(topics));
                LocalTopic? topic = Register(name);
                if (topic is not null)
                {
                    bool hasOwn = overrides is not null && overrides.TryGetValue(topic.Key, out ulong own) && own != _position;
                    _entries[_count - 1].HasOwn = hasOwn;
                    _entries[_count - 1].Own = hasOwn ? overrides![topic.Key] : 0;
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
    public int Read(List<Message> batch, int maxMessages)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (maxMessages <= 0 || _count == 0 || Volatile.Read(ref _disposed))
        {
            return 0;
        }

        ulong applied = _bus.AppliedId;
        int total = 0;
        bool moved = false;

        // Topics that joined behind the shared position first: they catch up to it, in their own order.
        for (int i = 0; i < _count && total < maxMessages; i++)
        {
            ref Entry entry = ref _entries[i];
            if (!entry.HasOwn || entry.Own >= _position)
            {
                continue;
            }

            _scratch.Clear();
            bool truncated = entry.Topic.Read(entry.Own, _position, _scratch, maxMessages - total);
            foreach (StoredMessage stored in _scratch)
            {
                batch.Add(stored.Message);
            }

            total += _scratch.Count;
            if (truncated)
            {
                entry.Own = _scratch[^1].Id;
            }
            else
            {
                entry.HasOwn = false;
            }

            moved = true;
        }

        if (total < maxMessages && applied > _position)
        {
            _scratch.Clear();
            bool truncated = false;
            int topicsWithMessages = 0;
            for (int i = 0; i < _count; i++)
            {
                ref Entry entry = ref _entries[i];
                ulong from = entry.HasOwn && entry.Own > _position ? entry.Own : _position;
                int before = _scratch.Count;
                truncated |= entry.Topic.Read(from, applied, _scratch, maxMessages - total);
                if (_scratch.Count > before)
                {
                    topicsWithMessages++;
                }
            }

            if (topicsWithMessages > 1)
            {
                _scratch.Sort(static (a, b) => a.Id.CompareTo(b.Id));
            }

            int take = Math.Min(_scratch.Count, maxMessages - total);
            for (int i = 0; i < take; i++)
            {
                batch.Add(_scratch[i].Message);
            }

            total += take;

            // Everything up to the last message taken has been read; when nothing was left behind, up to the applied id.
            _position = take == _scratch.Count && !truncated ? applied : _scratch[take - 1].Id;
            moved = true;
            for (int i = 0; i < _count; i++)
            {
                if (_entries[i].HasOwn && _entries[i].Own <= _position)
                {
                    _entries[i].HasOwn = false;
                }
            }
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
            if (_disposed || IndexOf(topic) >= 0)
            {
                return;
            }

            LocalTopic? added = Register(topic);
            if (added is null)
            {
                return;
            }

            ulong own = startId == 0 ? 0 : startId - 1;
            ref Entry entry = ref _entries[_count - 1];
            entry.HasOwn = own != _position;
            entry.Own = own;
            _cursor = null;
            unread = added.LastId > Math.Min(own, _position);
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

            int i = IndexOf(topic);
            if (i < 0)
            {
                return;
            }

            LocalTopic removed = _entries[i].Topic;
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
            for (int i = 0; i < _count; i++)
            {
                _entries[i].Topic.RemoveSubscriber(this);
            }
        }
    }

    /// <summary>Invokes the availability callback unless disposed. Called without any lock held.</summary>
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
#pragma warning disable CA1031 // The contract forbids the callback to throw; one that does must not stop the intake of the node.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private LocalTopic? Register(string name)
    {
        while (true)
        {
            LocalTopic topic = _bus.GetOrCreateTopic(name);
            for (int i = 0; i < _count; i++)
            {
                if (ReferenceEquals(_entries[i].Topic, topic))
                {
                    return null;
                }
            }

            if (topic.TryAddSubscriber(this))
            {
                if (_count == _entries.Length)
                {
                    Array.Resize(ref _entries, _entries.Length * 2);
                }

                _entries[_count++] = new Entry { Topic = topic };
                return topic;
            }

            _bus.ForgetRemovedTopic(topic);
        }
    }

    private int IndexOf(string topic)
    {
        for (int i = 0; i < _count; i++)
        {
            if (string.Equals(_entries[i].Topic.Name, topic, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private bool HasUnread()
    {
        for (int i = 0; i < _count; i++)
        {
            ulong from = _entries[i].HasOwn ? Math.Min(_entries[i].Own, _position) : _position;
            if (_entries[i].Topic.LastId > from)
            {
                return true;
            }
        }

        return false;
    }

    private string BuildCursor()
    {
        List<(ulong, ulong)>? overrides = null;
        for (int i = 0; i < _count; i++)
        {
            if (_entries[i].HasOwn)
            {
                (overrides ??= []).Add((_entries[i].Topic.Key, _entries[i].Own));
            }
        }

        return ScaleoutCursor.Format(_bus.ClusterTag, _position, overrides);
    }

    private struct Entry
    {
        public LocalTopic Topic;

        /// <summary>Whether the topic has a position of its own (<see cref="Own"/>) instead of the shared one.</summary>
        public bool HasOwn;

        /// <summary>The last id read of this topic, when <see cref="HasOwn"/>.</summary>
        public ulong Own;
    }
}
