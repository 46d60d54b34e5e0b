namespace Tether.Server.Messaging;

/// <summary>A topic covered by a <see cref="TopicSubscription"/>, with the subscription's position in it.</summary>
internal struct TopicEntry
{
    /// <summary>The topic.</summary>
    public BufferedTopic Topic;

    /// <summary>The subscription's slot in the topic's subscriber set.</summary>
    public int Slot;

    /// <summary>The position in the topic; what it means is up to the subscription type.</summary>
    public ulong Position;

    /// <summary>Whether <see cref="Position"/> applies (a subscription type may share one position across topics).</summary>
    public bool HasPosition;
}

/// <summary>
/// What every subscription of a bus does the same way: the covered topics and their registration, adding and removing
/// topics, disposal, the availability callback, the unread count and the cached cursor. A bus type adds how positions
/// start, are read and are written in cursors.
/// </summary>
/// <remarks>
/// <para>The reader-side state (positions, the cached cursor) belongs to the one reader and takes no lock. Changes to the
/// set of topics and <see cref="Dispose"/> serialize on the subscription's own monitor so that no topic is registered after disposal;
/// the gate is taken before a topic's lock, never the other way round.</para>
/// <para>The first topic given to <see cref="Start"/> is the subscription's command topic (the connection's own topic):
/// <see cref="IMessageSubscription.Read(List{Message}, int, long)"/> implementations read it first, so a connection's
/// commands are never starved by its groups.</para>
/// <para>The callback may still run once shortly after <see cref="Dispose"/> returns (a publisher that took a snapshot of
/// the subscribers just before); the contract only asks it to be fast, so that is harmless.</para>
/// </remarks>
internal abstract class TopicSubscription : IMessageSubscription
{
    private readonly TopicTable _table;
    private readonly Action _onMessagesAvailable;
    private string? _cursor;
    private bool _disposed;

    /// <summary>Creates a subscription with no topic; <see cref="Start"/> registers them.</summary>
    /// <param name="table">The bus's topics.</param>
    /// <param name="onMessagesAvailable">The availability callback.</param>
    /// <param name="capacity">The expected number of topics.</param>
    protected TopicSubscription(TopicTable table, Action onMessagesAvailable, int capacity)
    {
        _table = table;
        _onMessagesAvailable = onMessagesAvailable;
        Entries = new TopicEntry[Math.Max(capacity, 1)];
    }

    /// <summary>
    /// The gate: the subscription itself, which no other code locks (Monitor keeps an uncontended lock in the object's
    /// header, so a subscription carries no lock object of its own; there is one per connection).
    /// </summary>
    private object Gate => this;

    /// <inheritdoc/>
    public string Cursor => _cursor ??= BuildCursor();

    /// <summary>The length of <see cref="Cursor"/>; a bus that can format its cursor without a string measures it so.</summary>
    public virtual int CursorLength => Cursor.Length;

    /// <summary>Writes <see cref="Cursor"/> into <paramref name="destination"/>, which holds at least <see cref="CursorLength"/> characters.</summary>
    /// <param name="destination">Where to write.</param>
    /// <returns>The characters written.</returns>
    public virtual int FormatCursor(Span<char> destination)
    {
        string cursor = Cursor;
        cursor.CopyTo(destination);
        return cursor.Length;
    }

    /// <inheritdoc/>
    public long UnreadCount
    {
        get
        {
            long unread = 0;
            TopicEntry[] entries = Entries;
            int count = Math.Min(EntryCount, entries.Length);
            for (int i = 0; i < count; i++)
            {
                // Read from another thread than the reader's: RemoveTopic may be shifting entries and clearing the
                // last one right now, so an entry can be empty (benign: the count is an estimate for back-pressure).
                TopicEntry entry = entries[i];
                if (entry.Topic is not null)
                {
                    unread += CountUnread(entry);
                }
            }

            return unread;
        }
    }

    /// <summary>The covered topics, the first <see cref="EntryCount"/> of them.</summary>
    protected TopicEntry[] Entries { get; private set; }

    /// <summary>How many topics are covered.</summary>
    protected int EntryCount { get; private set; }

    /// <summary>Whether the subscription was disposed.</summary>
    protected bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>Registers the initial topics at the cursor's positions, then signals if anything is already unread.</summary>
    /// <param name="topics">The topics (duplicates are ignored); the first is the command topic.</param>
    /// <param name="cursor">The client's cursor; foreign, malformed or <see langword="null"/> means "now" everywhere.</param>
    public void Start(IEnumerable<string> topics, string? cursor)
    {
        ParseCursor(cursor);
        try
        {
            foreach (string name in topics)
            {
                ArgumentException.ThrowIfNullOrEmpty(name, nameof(topics));
                int index = Register(name, out ulong oldestId, out ulong nextSeq);
                if (index >= 0)
                {
                    PlaceInitial(ref Entries[index], oldestId, nextSeq);
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        finally
        {
            ForgetCursor();
        }

        for (int i = 0; i < EntryCount; i++)
        {
            if (IsUnread(Entries[i]))
            {
                Notify();
                return;
            }
        }
    }

    /// <inheritdoc/>
    public int Read(List<Message> batch, int maxMessages) => Read(batch, maxMessages, long.MaxValue);

    /// <inheritdoc/>
    public abstract int Read(List<Message> batch, int maxMessages, long maxBytes);

    /// <inheritdoc/>
    public void AddTopic(string topic, ulong startId)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        bool unread;
        ulong oldestId = 0;
        ulong nextSeq = 0;
        lock (Gate)
        {
            // Already covered: the current position neither loses nor repeats anything.
            int index = _disposed ? -1 : Register(topic, out oldestId, out nextSeq);
            if (index < 0)
            {
                return;
            }

            PlaceAdded(ref Entries[index], startId, oldestId, nextSeq);
            _cursor = null;
            unread = IsUnread(Entries[index]);
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
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            int i = 0;
            while (i < EntryCount && !string.Equals(Entries[i].Topic.Name, topic, StringComparison.Ordinal))
            {
                i++;
            }

            if (i == EntryCount)
            {
                return;
            }

            TopicEntry removed = Entries[i];
            Array.Copy(Entries, i + 1, Entries, i, EntryCount - i - 1);
            EntryCount--;
            Entries[EntryCount] = default;
            _cursor = null;
            removed.Topic.RemoveSubscriber(this, removed.Slot);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Unregisters from every topic. <see cref="Cursor"/> stays readable; reads return 0.</remarks>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            Volatile.Write(ref _disposed, true);
        }

        // No topic can be added or removed any more (both check _disposed under the gate).
        for (int i = 0; i < EntryCount; i++)
        {
            Entries[i].Topic.RemoveSubscriber(this, Entries[i].Slot);
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
#pragma warning disable CA1031 // The contract forbids the callback to throw; one that does must not stop other subscribers or fail the publisher.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Forgets the cached cursor after the position changed.</summary>
    protected void CursorMoved() => _cursor = null;

    /// <summary>Takes the client's cursor before <see cref="PlaceInitial"/> runs for each topic.</summary>
    /// <param name="cursor">The cursor, possibly <see langword="null"/>, foreign or garbage.</param>
    protected abstract void ParseCursor(string? cursor);

    /// <summary>Lets go of what <see cref="ParseCursor"/> kept once every initial topic is placed.</summary>
    protected abstract void ForgetCursor();

    /// <summary>Sets where a topic given to <see cref="Start"/> starts, from the parsed cursor.</summary>
    /// <param name="entry">The new entry.</param>
    /// <param name="oldestId">The topic's oldest kept id (its next id when it keeps none).</param>
    /// <param name="nextSeq">The topic's next sequence number.</param>
    protected abstract void PlaceInitial(ref TopicEntry entry, ulong oldestId, ulong nextSeq);

    /// <summary>Sets where a topic given to <see cref="AddTopic"/> starts.</summary>
    /// <param name="entry">The new entry.</param>
    /// <param name="startId">The id from <see cref="IMessageBus.GetNextId"/>.</param>
    /// <param name="oldestId">The topic's oldest kept id (its next id when it keeps none).</param>
    /// <param name="nextSeq">The topic's next sequence number.</param>
    protected abstract void PlaceAdded(ref TopicEntry entry, ulong startId, ulong oldestId, ulong nextSeq);

    /// <summary>Whether the entry's topic has messages past its position.</summary>
    /// <param name="entry">The entry.</param>
    /// <returns><see langword="true"/> when something is unread.</returns>
    protected abstract bool IsUnread(in TopicEntry entry);

    /// <summary>How many kept messages of the entry's topic are unread.</summary>
    /// <param name="entry">The entry.</param>
    /// <returns>The count.</returns>
    protected abstract long CountUnread(in TopicEntry entry);

    /// <summary>Writes the cursor of the current positions.</summary>
    /// <returns>The cursor.</returns>
    protected abstract string BuildCursor();

    private int Register(string name, out ulong oldestId, out ulong nextSeq)
    {
        while (true)
        {
            BufferedTopic topic = _table.GetOrCreate(name);
            for (int i = 0; i < EntryCount; i++)
            {
                if (ReferenceEquals(Entries[i].Topic, topic))
                {
                    oldestId = 0;
                    nextSeq = 0;
                    return -1;
                }
            }

            if (topic.TryAddSubscriber(this, out int slot, out oldestId, out nextSeq))
            {
                if (EntryCount == Entries.Length)
                {
                    TopicEntry[] grown = Entries;
                    Array.Resize(ref grown, grown.Length * 2);
                    Entries = grown;
                }

                Entries[EntryCount++] = new TopicEntry { Topic = topic, Slot = slot };
                return EntryCount - 1;
            }

            _table.Forget(topic);
        }
    }
}
