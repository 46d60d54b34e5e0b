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
/// cursor written after them (<see cref="ScaleoutCursor"/>) is exact whatever node reads it next. Global order also
/// keeps the command-topic contract: a command published before a message was published precedes it in the batch.</para>
/// <para>An entry's own position (<see cref="TopicEntry.Position"/> when <see cref="TopicEntry.HasPosition"/>) is the
/// last id read of that topic.</para>
/// </remarks>
internal sealed class RedisSubscription : TopicSubscription
{
    private readonly RedisMessageBus _bus;
    private readonly List<StoredMessage> _scratch = [];
    private ulong _position;
    private Dictionary<ulong, ulong>? _overrides;

    public RedisSubscription(RedisMessageBus bus, TopicTable table, Action onMessagesAvailable, int capacity)
        : base(table, onMessagesAvailable, capacity)
    {
        _bus = bus;
    }

    /// <summary>The shared position (for tests).</summary>
    internal ulong Position => _position;

    /// <inheritdoc/>
    /// <remarks>
    /// Every topic reads from its own position (its own, or the shared one) up to the node's applied id; the messages are
    /// merged in global id order and a prefix within the budget is taken. A topic cut short by the budget caps the
    /// prefix at the last id it returned, so nothing of it is skipped. A topic still being filled from the replay stream
    /// keeps its own position and caps the prefix there until its fill notifies.
    /// </remarks>
    public override int Read(List<Message> batch, int maxMessages, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (maxMessages <= 0 || EntryCount == 0 || IsDisposed)
        {
            return 0;
        }

        ulong applied = _bus.AppliedId;
        var budget = new ReadBudget(maxMessages, maxBytes);
        _scratch.Clear();
        var sink = new StoredMessageSink(_scratch);
        ulong limit = applied;
        bool moved = false;
        int topicsWithMessages = 0;
        for (int i = 0; i < EntryCount; i++)
        {
            ref TopicEntry entry = ref Entries[i];
            ulong after = entry.HasPosition ? entry.Position : _position;
            if (entry.Topic.CompleteAfter > after)
            {
                // Still being filled: it keeps its own position, and nothing after it is read, so the merged order
                // stays the global order.
                moved |= !entry.HasPosition;
                entry.HasPosition = true;
                entry.Position = after;
                limit = Math.Min(limit, after);
                continue;
            }

            if (after >= applied)
            {
                continue;
            }

            int count = _scratch.Count;
            ReadBudget topicBudget = budget;
            ulong resume = entry.Topic.Read(after + 1, applied + 1, ref sink, ref topicBudget, out bool exhausted);
            if (!exhausted)
            {
                limit = Math.Min(limit, resume - 1);
            }

            topicsWithMessages += _scratch.Count > count ? 1 : 0;
        }

        if (topicsWithMessages > 1)
        {
            _scratch.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        }

        int before = batch.Count;
        ulong last = 0;
        bool stoppedEarly = false;
        foreach (StoredMessage stored in _scratch)
        {
            if (stored.Id > limit || !budget.TryTake(stored.Message.Payload.Length))
            {
                stoppedEarly = true;
                break;
            }

            batch.Add(stored.Message);
            last = stored.Id;
        }

        // Every topic has read everything up to the last message taken; when nothing was left behind, up to the limit.
        ulong readTo = stoppedEarly ? last : limit;
        if (Advance(readTo) || moved)
        {
            CursorMoved();
        }

        return batch.Count - before;
    }

    /// <inheritdoc/>
    protected override void ParseCursor(string? cursor)
    {
        if (!ScaleoutCursor.TryParse(cursor, _bus.ClusterTag, out _position, out _overrides))
        {
            _position = _bus.LastApplied;
        }
    }

    /// <inheritdoc/>
    protected override void ForgetCursor() => _overrides = null;

    /// <inheritdoc/>
    protected override void PlaceInitial(ref TopicEntry entry, ulong oldestId, ulong nextSeq)
    {
        if (_overrides is not null && _overrides.TryGetValue(entry.Topic.Key, out ulong own) && own != _position)
        {
            entry.HasPosition = true;
            entry.Position = own;
        }

        _bus.PrepareTopic(entry.Topic, entry.HasPosition ? entry.Position : _position);
    }

    /// <inheritdoc/>
    protected override void PlaceAdded(ref TopicEntry entry, ulong startId, ulong oldestId, ulong nextSeq)
    {
        ulong own = startId == 0 ? 0 : startId - 1;
        entry.HasPosition = own != _position;
        entry.Position = own;
        _bus.PrepareTopic(entry.Topic, own);
    }

    /// <inheritdoc/>
    protected override bool IsUnread(in TopicEntry entry)
    {
        ulong from = entry.HasPosition ? Math.Min(entry.Position, _position) : _position;
        return entry.Topic.CompleteAfter <= from && entry.Topic.LastId > from;
    }

    /// <inheritdoc/>
    protected override long CountUnread(in TopicEntry entry)
    {
        ulong applied = _bus.AppliedId;
        ulong from = entry.HasPosition ? entry.Position : _position;
        return applied > from ? entry.Topic.CountUnread(from + 1, applied + 1) : 0;
    }

    /// <inheritdoc/>
    /// <remarks>Measured from the positions, so a response writes the cursor into its own buffer without a string per read.</remarks>
    public override int CursorLength
    {
        get
        {
            int length = ScaleoutCursor.HeaderLength(_bus.ClusterTag, _position);
            for (int i = 0; i < EntryCount; i++)
            {
                if (Entries[i].HasPosition)
                {
                    length += ScaleoutCursor.OverrideLength(Entries[i].Topic.Key, Entries[i].Position);
                }
            }

            return length;
        }
    }

    /// <inheritdoc/>
    public override int FormatCursor(Span<char> destination)
    {
        int written = ScaleoutCursor.WriteHeader(destination, _bus.ClusterTag, _position);
        for (int i = 0; i < EntryCount; i++)
        {
            if (Entries[i].HasPosition)
            {
                written += ScaleoutCursor.WriteOverride(destination[written..], Entries[i].Topic.Key, Entries[i].Position);
            }
        }

        return written;
    }

    /// <inheritdoc/>
    protected override string BuildCursor() =>
        string.Create(CursorLength, this, static (span, subscription) => subscription.FormatCursor(span));

    /// <summary>Moves every readable topic's position up to <paramref name="readTo"/>; the shared position too.</summary>
    private bool Advance(ulong readTo)
    {
        if (readTo <= _position && !HasOwnBelow(readTo))
        {
            return false;
        }

        ulong shared = Math.Max(_position, readTo);
        for (int i = 0; i < EntryCount; i++)
        {
            ref TopicEntry entry = ref Entries[i];
            ulong after = entry.HasPosition ? entry.Position : _position;
            if (entry.Topic.CompleteAfter > after)
            {
                continue;
            }

            ulong moved = Math.Max(after, readTo);
            entry.HasPosition = moved != shared;
            entry.Position = entry.HasPosition ? moved : 0;
        }

        _position = shared;
        return true;
    }

    private bool HasOwnBelow(ulong readTo)
    {
        for (int i = 0; i < EntryCount; i++)
        {
            if (Entries[i].HasPosition && Entries[i].Position < readTo && Entries[i].Topic.CompleteAfter <= Entries[i].Position)
            {
                return true;
            }
        }

        return false;
    }
}
