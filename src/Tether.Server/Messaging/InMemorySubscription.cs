namespace Tether.Server.Messaging;

/// <summary>A subscription of an <see cref="InMemoryMessageBus"/>: a position (the next id to read) per covered topic.</summary>
/// <remarks>
/// <para>A read takes the command topic (the first one) first, then the other topics starting one further each time
/// (so a busy group that fills every batch cannot starve the others), then the command topic once more, so that every
/// command published before a message of the batch was read is in the batch too. When that second look cannot take
/// all of the command topic (the budget is spent), the other topics' messages are put back and the batch holds only
/// command-topic messages.</para>
/// </remarks>
internal sealed class InMemorySubscription : TopicSubscription
{
    /// <summary>Above this many topics × cursor entries, the cursor is indexed in a dictionary instead of scanned per topic.</summary>
    private const int LinearLookupLimit = 256;

    private readonly InMemoryMessageBus _bus;
    private ulong[] _saved = [];
    private int _readStart;

    // Only while starting.
    private ReadOnlyMemory<char> _cursorEntries;
    private bool _cursorUsable;
    private Dictionary<ulong, ulong>? _cursorIndex;

    /// <summary>Creates a subscription with no topic; <see cref="TopicSubscription.Start"/> registers them.</summary>
    /// <param name="bus">The bus.</param>
    /// <param name="table">The bus's topics.</param>
    /// <param name="onMessagesAvailable">The availability callback.</param>
    /// <param name="capacity">The expected number of topics (also used to choose how the cursor is matched).</param>
    public InMemorySubscription(InMemoryMessageBus bus, TopicTable table, Action onMessagesAvailable, int capacity)
        : base(table, onMessagesAvailable, capacity)
    {
        _bus = bus;
    }

    /// <inheritdoc/>
    public override int Read(List<Message> batch, int maxMessages, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int count = EntryCount;
        if (maxMessages <= 0 || count == 0 || IsDisposed)
        {
            return 0;
        }

        int before = batch.Count;
        var sink = new MessageSink(batch);
        var budget = new ReadBudget(maxMessages, maxBytes);
        bool moved = ReadEntry(0, ref sink, ref budget, out _);
        if (count > 1 && !budget.IsSpent)
        {
            moved |= ReadOthers(count, ref sink, ref budget);
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
        _cursorUsable = CursorCodec.TryGetEntries(cursor, _bus.ProcessId, out ReadOnlySpan<char> entries, out int entryCount) && entryCount > 0;
        if (!_cursorUsable)
        {
            return;
        }

        _cursorEntries = cursor.AsMemory(cursor!.Length - entries.Length);

        // A few topics and entries (the usual case: broadcast, connection, a group or two) are matched by scanning.
        if ((long)entryCount * Entries.Length > LinearLookupLimit)
        {
            _cursorIndex = CursorCodec.BuildIndex(entries, entryCount);
        }
    }

    /// <inheritdoc/>
    protected override void ForgetCursor()
    {
        _cursorIndex = null;
        _cursorEntries = default;
        _cursorUsable = false;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The cursor's id, when it names this incarnation of the topic; older than the oldest kept message, or beyond the
    /// next id (an earlier incarnation's position, or a forged or colliding cursor), the oldest kept message (classic
    /// behaviour: a gap, or a replay of the buffer). Otherwise "now".
    /// </remarks>
    protected override void PlaceInitial(ref TopicEntry entry, ulong oldestId, ulong nextSeq)
    {
        ulong requested = 0;
        bool found = _cursorUsable && (_cursorIndex is not null
            ? _cursorIndex.TryGetValue(entry.Topic.Key, out requested)
            : CursorCodec.TryFind(_cursorEntries.Span, entry.Topic.Key, out requested));
        entry.Position = found ? Clamp(requested, oldestId, nextSeq) : nextSeq;
        entry.HasPosition = true;
    }

    /// <inheritdoc/>
    protected override void PlaceAdded(ref TopicEntry entry, ulong startId, ulong oldestId, ulong nextSeq)
    {
        entry.Position = Clamp(startId, oldestId, nextSeq);
        entry.HasPosition = true;
    }

    /// <inheritdoc/>
    protected override bool IsUnread(in TopicEntry entry) => entry.Topic.NextSeq > entry.Position;

    /// <inheritdoc/>
    protected override long CountUnread(in TopicEntry entry) =>
        entry.Topic.NextSeq > entry.Position ? entry.Topic.CountUnread(entry.Position, ulong.MaxValue) : 0;

    /// <inheritdoc/>
    public override int CursorLength
    {
        get
        {
            int length = CursorCodec.HeaderLength(_bus.ProcessHex) + Math.Max(EntryCount - 1, 0);
            for (int i = 0; i < EntryCount; i++)
            {
                length += CursorCodec.EntryLength(Entries[i].Topic.Key, Entries[i].Position);
            }

            return length;
        }
    }

    /// <inheritdoc/>
    public override int FormatCursor(Span<char> destination)
    {
        int written = CursorCodec.WriteHeader(destination, _bus.ProcessHex);
        for (int i = 0; i < EntryCount; i++)
        {
            if (i > 0)
            {
                destination[written++] = '|';
            }

            ref TopicEntry entry = ref Entries[i];
            written += CursorCodec.WriteEntry(destination[written..], entry.Topic.Key, entry.Position);
        }

        return written;
    }

    /// <inheritdoc/>
    protected override string BuildCursor() =>
        string.Create(CursorLength, this, static (span, subscription) => subscription.FormatCursor(span));

    private static ulong Clamp(ulong requested, ulong oldestId, ulong nextSeq) =>
        requested < oldestId || requested > nextSeq ? oldestId : requested;

    /// <summary>Reads the other topics fairly, then the command topic again; puts the others back when that cannot finish.</summary>
    private bool ReadOthers(int count, ref MessageSink sink, ref ReadBudget budget)
    {
        if (_saved.Length < count)
        {
            _saved = new ulong[Entries.Length];
        }

        TopicEntry[] entries = Entries;
        for (int i = 0; i < count; i++)
        {
            _saved[i] = entries[i].Position;
        }

        int mark = sink.Count;
        ReadBudget afterCommands = budget;
        int others = count - 1;
        int first = _readStart < others ? _readStart : 0;
        _readStart = first + 1 < others ? first + 1 : 0;
        bool moved = false;
        for (int n = 0; n < others && !budget.IsSpent; n++)
        {
            int i = first + n;
            moved |= ReadEntry(i >= others ? i - others + 1 : i + 1, ref sink, ref budget, out _);
        }

        if (sink.Count == mark)
        {
            return moved;
        }

        ReadEntry(0, ref sink, ref budget, out bool exhausted);
        if (!exhausted)
        {
            sink.Truncate(mark);
            for (int i = 0; i < count; i++)
            {
                entries[i].Position = _saved[i];
            }

            budget = afterCommands;
            ReadEntry(0, ref sink, ref budget, out _);
        }

        return true;
    }

    private bool ReadEntry(int index, ref MessageSink sink, ref ReadBudget budget, out bool exhausted)
    {
        ref TopicEntry entry = ref Entries[index];
        ulong before = entry.Position;
        entry.Position = entry.Topic.Read(before, ulong.MaxValue, ref sink, ref budget, out exhausted);
        return entry.Position != before;
    }
}
