using Microsoft.Extensions.Logging;
using Tether.Server.Messaging;

namespace Tether.Redis.Internal;

/// <summary>Where a message reached the intake from.</summary>
internal enum IntakeSource
{
    /// <summary>This node published it (the script's answer).</summary>
    Publisher,

    /// <summary>The pub/sub channel.</summary>
    PubSub,

    /// <summary>The replay stream.</summary>
    Replay,
}

/// <summary>What the replay filler should read next: ids <see cref="From"/> to <see cref="To"/>, after <see cref="Wait"/>.</summary>
/// <param name="From">The first id.</param>
/// <param name="To">The last id, or <see cref="ulong.MaxValue"/> to catch up to the newest.</param>
/// <param name="CatchUp">Whether this reads to the newest id (after a reconnect or a counter check).</param>
/// <param name="Wait">How long to give pub/sub first.</param>
internal readonly record struct FillPlan(ulong From, ulong To, bool CatchUp, TimeSpan Wait);

/// <summary>One message offered to the intake.</summary>
/// <param name="Id">Its global id.</param>
/// <param name="Epoch">The epoch of the id.</param>
/// <param name="Message">The message, or <see langword="null"/> for an id whose frame could not be decoded.</param>
internal readonly record struct IntakeItem(ulong Id, ulong Epoch, Message? Message);

/// <summary>
/// A node's intake: applies messages to its topics strictly in global id order, whatever the source, holds those that
/// arrive ahead of a missing id in a bounded <see cref="PendingWindow"/>, tells the replay filler what is missing, and
/// reports gaps.
/// </summary>
/// <remarks>
/// <para>One short lock guards the order. Subscribers are notified, publishers woken and gaps raised after it is
/// released: the lock only collects the topics that got messages (no per-message subscriber set).</para>
/// <para>A message that does not fit the pending window is refused and read back from the replay stream later, once
/// the ids before it are in; the stream is read in id order, so replayed messages never need the window. An id the
/// stream no longer has is a gap: logged and raised, never skipped silently.</para>
/// </remarks>
/// <param name="topics">The node's topics.</param>
/// <param name="budget">The node's buffer budget (counts messages for topics it does not hold).</param>
/// <param name="createTopics">Whether a message creates its topic; otherwise topics nobody here created are skipped.</param>
/// <param name="pending">The bounded set of messages waiting for a missing id.</param>
/// <param name="gapFillDelay">How long a hole pub/sub may still fill is given before the stream is read.</param>
/// <param name="time">The clock.</param>
/// <param name="logger">The logger.</param>
/// <param name="raiseGap">Reports a gap (called without the lock).</param>
/// <param name="signalFill">Wakes the replay filler (called without the lock).</param>
internal sealed partial class RedisIntake(
    TopicTable topics,
    BufferBudget budget,
    bool createTopics,
    PendingWindow pending,
    TimeSpan gapFillDelay,
    TimeProvider time,
    ILogger logger,
    Action<RedisGapEventArgs> raiseGap,
    Action signalFill)
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<TaskCompletionSource, ulong> _waiters = new();

    private ulong _applied;
    private ulong _visible;
    private ulong _epoch;
    private bool _initialized;
    private ulong _highestFromPubSub;
    private ulong _highestSeen;
    private long _holeSince;
    private bool _catchUpRequested;

    /// <summary>The latest id readers may read: every message up to it is in its topic.</summary>
    public ulong AppliedId => Volatile.Read(ref _visible);

    /// <summary>The last applied id, even if readers cannot read up to it yet: every later id is applied after this call.</summary>
    public ulong LastApplied
    {
        get
        {
            lock (_lock)
            {
                return _applied;
            }
        }
    }

    /// <summary>The current epoch (see <see cref="Scripts.Publish"/>).</summary>
    public ulong Epoch => Volatile.Read(ref _epoch);

    /// <summary>Whether the intake has its starting id.</summary>
    public bool IsInitialized => Volatile.Read(ref _initialized);

    /// <summary>The pending window (for tests).</summary>
    internal PendingWindow Pending => pending;

    /// <summary>The intake's state, for diagnostics in tests.</summary>
    public string DebugState
    {
        get
        {
            lock (_lock)
            {
                return $"applied {_applied} epoch {_epoch} init {_initialized} pending {pending.Count} (lowest {pending.Lowest}, refused {pending.Refused}) waiters {_waiters.Count} pubsub {_highestFromPubSub} seen {_highestSeen} holeSince {_holeSince} catchUp {_catchUpRequested}";
            }
        }
    }

    /// <summary>Starts at Redis's counter: everything at or below it is "before now".</summary>
    /// <param name="counter">The counter.</param>
    /// <param name="epoch">The epoch.</param>
    public void Initialize(ulong counter, ulong epoch)
    {
        var effects = default(IntakeEffects);
        lock (_lock)
        {
            if (_initialized)
            {
                return;
            }

            _applied = counter;
            Volatile.Write(ref _epoch, epoch);
            Volatile.Write(ref _initialized, true);
            pending.DropThrough(_applied);
            Drain(ref effects);
        }

        effects.Run(this);
    }

    /// <summary>Takes a message (or, when <paramref name="message"/> is null, an undecodable id) into the intake.</summary>
    /// <param name="id">The global id.</param>
    /// <param name="epoch">Its epoch.</param>
    /// <param name="message">The message, or <see langword="null"/>.</param>
    /// <param name="source">Where it came from.</param>
    public void Offer(ulong id, ulong epoch, Message? message, IntakeSource source) => Offer([new IntakeItem(id, epoch, message)], source);

    /// <summary>
    /// Takes several messages into the intake at once: one pass under the lock, then each topic that got messages
    /// notifies its subscribers once, so they read the whole batch together.
    /// </summary>
    /// <param name="items">The messages (a null message is an undecodable id).</param>
    /// <param name="source">Where they came from.</param>
    public void Offer(ReadOnlySpan<IntakeItem> items, IntakeSource source)
    {
        var effects = default(IntakeEffects);
        lock (_lock)
        {
            foreach (IntakeItem item in items)
            {
                OfferLocked(item.Id, item.Epoch, item.Message, source, ref effects);
            }
        }

        effects.Run(this);
    }

    /// <summary>Waits until this node has applied <paramref name="id"/> (or a while: it is published, other nodes apply it).</summary>
    /// <param name="id">The id.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>A task that completes when applied or after the timeout.</returns>
    public async Task WaitAppliedAsync(ulong id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_applied >= id || _epoch > id)
            {
                return;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter, id);
        }

        try
        {
            await waiter.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Published (it has its id in Redis); this node applies it once the ids before it are in. Not an error.
            RedisLog.SlowLocalApply(logger, id);
        }
    }

    /// <summary>Asks the filler to read everything up to Redis's newest id (after a reconnect).</summary>
    public void RequestCatchUp()
    {
        lock (_lock)
        {
            _catchUpRequested = true;
        }
    }

    /// <summary>While idle: when Redis's counter is past what this node applied, asks for a catch-up.</summary>
    /// <param name="counter">Redis's counter.</param>
    public void NoteCounter(ulong counter)
    {
        lock (_lock)
        {
            if (counter > _applied && counter > _highestSeen)
            {
                _catchUpRequested = true;
            }
        }
    }

    /// <summary>What the filler should read next, or <see langword="null"/> when nothing is missing.</summary>
    /// <returns>The plan.</returns>
    public FillPlan? NextFill()
    {
        lock (_lock)
        {
            if (!_initialized)
            {
                return null;
            }

            ulong from = _applied + 1;
            if (_catchUpRequested)
            {
                return new FillPlan(from, ulong.MaxValue, true, TimeSpan.Zero);
            }

            if (_highestSeen <= _applied)
            {
                return null;
            }

            if (pending.Count == 0)
            {
                // Only refused messages are missing: pub/sub has passed them.
                return new FillPlan(from, _highestSeen, false, TimeSpan.Zero);
            }

            // Pub/sub delivers in publication order: once it has passed the hole it will not fill it, so read at once.
            // Otherwise the hole is usually our own reply overtaking pub/sub: give pub/sub a moment.
            ulong to = pending.Lowest - 1;
            TimeSpan waited = time.GetElapsedTime(_holeSince);
            TimeSpan wait = to >= _highestFromPubSub && waited < gapFillDelay ? gapFillDelay - waited : TimeSpan.Zero;
            return new FillPlan(from, to, false, wait);
        }
    }

    /// <summary>After a read of the stream: what is still missing up to the first id held is gone.</summary>
    /// <param name="plan">The plan that was read.</param>
    /// <param name="newest">The newest id the read returned (0 for none).</param>
    public void CompleteFill(FillPlan plan, ulong newest)
    {
        var effects = default(IntakeEffects);
        lock (_lock)
        {
            // For a catch-up, only up to the newest id the read returned: later ids may have been published since.
            ulong upTo = plan.CatchUp ? (pending.Count > 0 ? Math.Min(pending.Lowest - 1, newest) : 0) : plan.To;
            if (upTo > _applied)
            {
                SkipMissing(upTo, RedisGapReason.NotInReplay, ref effects);
            }

            if (plan.CatchUp)
            {
                _catchUpRequested = false;
            }
        }

        effects.Run(this);
    }
}
