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
    public override int Read(List<Message> batch, int maxMessages, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (maxMessages <= 0 || EntryCount == 0 || IsDisposed)
        {
            return 0;
        }

        int before = batch.Count;
        var budget = new ReadBudget(maxMessages, maxBytes);
        bool moved = ReadBehind(batch, ref budget);
        ulong applied = _bus.AppliedId;
        if (!budget.IsSpent && applied > _position)
        {
            moved |= ReadMerged(batch, ref budget, applied);
        }

        if (moved)
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
            _position = _bus.AppliedId;
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
    }

    /// <inheritdoc/>
    protected override void PlaceAdded(ref TopicEntry entry, ulong startId, ulong oldestId, ulong nextSeq)
    {
        ulong own = startId == 0 ? 0 : startId - 1;
        entry.HasPosition = own != _position;
        entry.Position = own;
    }

    /// <inheritdoc/>
    protected override bool IsUnread(in TopicEntry entry) =>
        entry.Topic.LastId > (entry.HasPosition ? Math.Min(entry.Position, _position) : _position);

    /// <inheritdoc/>
    protected override long CountUnread(in TopicEntry entry)
    {
        ulong applied = _bus.AppliedId;
        ulong from = entry.HasPosition ? entry.Position : _position;
        return applied > from ? entry.Topic.CountUnread(from + 1, applied + 1) : 0;
    }

    /// <inheritdoc/>
    protected override string BuildCursor()
    {
        List<(ulong, ulong)>? overrides = null;
        for (int i = 0; i < EntryCount; i++)
        {
            if (Entries[i].HasPosition)
            {
                (overrides ??= []).Add((Entries[i].Topic.Key, Entries[i].Position));
            }
        }

        return ScaleoutCursor.Format(_bus.ClusterTag, _position, overrides);
    }

    /// <summary>Topics that joined behind the shared position first: they catch up to it, in their own order.</summary>
    private bool ReadBehind(List<Message> batch, ref ReadBudget budget)
    {
        bool moved = false;
        for (int i = 0; i < EntryCount && !budget.IsSpent; i++)
        {
            ref TopicEntry entry = ref Entries[i];
            if (!entry.HasPosition || entry.Position >= _position)
            {
                continue;
            }

            _scratch.Clear();
            var sink = new StoredMessageSink(_scratch);
            ulong resume = entry.Topic.Read(entry.Position + 1, _position + 1, ref sink, ref budget, out bool exhausted);
            foreach (StoredMessage stored in _scratch)
            {
                batch.Add(stored.Message);
            }

            entry.HasPosition = !exhausted;
            entry.Position = exhausted ? 0 : resume - 1;
            moved = true;
        }

        return moved;
    }

    /// <summary>Everything after the shared position up to <paramref name="applied"/>, merged across topics in id order.</summary>
    private bool ReadMerged(List<Message> batch, ref ReadBudget budget, ulong applied)
    {
        _scratch.Clear();
        var sink = new StoredMessageSink(_scratch);

        // Each topic reads what the whole budget allows; the merge then takes a prefix. A topic cut short by the budget
        // caps the prefix at the last id it returned, so nothing of it is skipped.
        ulong limit = applied;
        int topicsWithMessages = 0;
        for (int i = 0; i < EntryCount; i++)
        {
            ref TopicEntry entry = ref Entries[i];
            ulong from = (entry.HasPosition && entry.Position > _position ? entry.Position : _position) + 1;
            int count = _scratch.Count;
            ReadBudget topicBudget = budget;
            ulong resume = entry.Topic.Read(from, applied + 1, ref sink, ref topicBudget, out bool exhausted);
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

        // Everything up to the last message taken has been read; when nothing was left behind, up to the limit.
        ulong position = stoppedEarly ? last : limit;
        if (position <= _position)
        {
            return false;
        }

        _position = position;
        for (int i = 0; i < EntryCount; i++)
        {
            if (Entries[i].HasPosition && Entries[i].Position <= _position)
            {
                Entries[i].HasPosition = false;
            }
        }

        return true;
    }
}
