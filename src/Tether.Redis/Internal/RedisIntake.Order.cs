using Tether.Server.Messaging;

namespace Tether.Redis.Internal;

/// <summary>The ordering steps of <see cref="RedisIntake"/>, all under its lock.</summary>
internal sealed partial class RedisIntake
{
    /// <summary>Takes one message into the order: applies it, holds it until the ids before it are in, or reports it lost.</summary>
    private void OfferLocked(ulong id, ulong epoch, Message? message, IntakeSource source, ref IntakeEffects effects)
    {
        if (!_initialized)
        {
            // No counter read yet (Redis was down at start): the first message seen is "now".
            _applied = id - 1;
            Volatile.Write(ref _epoch, epoch);
            Volatile.Write(ref _initialized, true);
        }

        if (epoch < _epoch)
        {
            // From an epoch that ended (Redis lost its data since): its place in the order is gone.
            effects.AddGap(id, id, RedisGapReason.RedisDataLost);
            return;
        }

        if (epoch > _epoch)
        {
            StartEpoch(epoch, ref effects);
        }

        _highestSeen = Math.Max(_highestSeen, id);
        if (source == IntakeSource.PubSub)
        {
            _highestFromPubSub = Math.Max(_highestFromPubSub, id);
        }

        if (source == IntakeSource.Replay && id > _applied + 1)
        {
            // The stream is read in id order and ids are written with their message: what it skipped is gone.
            SkipMissing(id - 1, RedisGapReason.NotInReplay, ref effects);
        }

        if (id == _applied + 1)
        {
            Apply(id, message, ref effects);
        }
        else if (id > _applied && !pending.TryAdd(_applied, id, message) && source != IntakeSource.Replay)
        {
            RedisLog.PendingOverflow(logger, id);
        }

        Drain(ref effects);
    }

    /// <summary>Redis started a new epoch (it lost its data): apply what is left of the old one, report what may be lost.</summary>
    private void StartEpoch(ulong epoch, ref IntakeEffects effects)
    {
        ulong previous = _epoch;
        Volatile.Write(ref _epoch, epoch);
        if (previous == 0)
        {
            // The first epoch this node sees (Redis was new): ids up to the base were never used.
            _applied = Math.Max(_applied, epoch);
            pending.DropThrough(_applied);
            return;
        }

        RedisLog.EpochChanged(logger, previous, epoch);

        // Old-epoch messages still pending are delivered; the holes before them, and whatever the node had not received
        // when Redis lost its data, are reported.
        while (pending.Count > 0 && pending.Lowest <= epoch)
        {
            ulong next = pending.Lowest;
            if (next > _applied + 1)
            {
                effects.AddGap(_applied + 1, next - 1, RedisGapReason.RedisDataLost);
                _applied = next - 1;
            }

            pending.TryTake(next, out Message? message);
            Apply(next, message, ref effects);
        }

        if (_applied < epoch)
        {
            effects.AddGap(_applied + 1, epoch, RedisGapReason.RedisDataLost);
            _applied = epoch;
        }
    }

    /// <summary>Applies pending messages that are next in order, publishes the applied id, and notes a hole for the filler.</summary>
    private void Drain(ref IntakeEffects effects)
    {
        pending.DropThrough(_applied);
        while (pending.TryTake(_applied + 1, out Message? message))
        {
            Apply(_applied + 1, message, ref effects);
        }

        // Only now may readers read up to _applied: every message up to it is in its topic.
        Volatile.Write(ref _visible, _applied);
        while (_waiters.TryPeek(out TaskCompletionSource? waiter, out ulong waitedId) && waitedId <= _applied)
        {
            _waiters.Dequeue();
            (effects.Waiters ??= []).Add(waiter);
        }

        if (_highestSeen <= _applied)
        {
            _holeSince = 0;
        }
        else if (_holeSince == 0)
        {
            _holeSince = time.GetTimestamp();
            effects.SignalFill = true;
        }
        else if (pending.Count == 0 || pending.Lowest <= _highestFromPubSub)
        {
            effects.SignalFill = true;
        }
    }

    /// <summary>Applies the next id: its message goes to its topic (or is counted, when this node holds no such topic).</summary>
    private void Apply(ulong id, Message? message, ref IntakeEffects effects)
    {
        _applied = id;
        if (message is null)
        {
            return;
        }

        BufferedTopic? topic;
        if (createTopics)
        {
            topic = topics.Use(message.Topic, static (topic, state) => topic.TryAppend(state.id, state.message, notify: false), (id, message));
        }
        else
        {
            while (true)
            {
                if (!topics.TryGet(message.Topic, out topic))
                {
                    budget.CountUnbuffered();
                    return;
                }

                if (topic.TryAppend(id, message, notify: false))
                {
                    break;
                }

                topics.Forget(topic);
            }
        }

        effects.AddTopic(topic);
    }

    /// <summary>Reports the ids in (applied, <paramref name="upTo"/>] that are not pending as a gap, and applies past them.</summary>
    private void SkipMissing(ulong upTo, RedisGapReason reason, ref IntakeEffects effects)
    {
        while (_applied < upTo)
        {
            pending.DropThrough(_applied);
            if (pending.TryTake(_applied + 1, out Message? message))
            {
                Apply(_applied + 1, message, ref effects);
                continue;
            }

            ulong next = pending.Count > 0 ? pending.Lowest : ulong.MaxValue;
            ulong end = Math.Min(upTo, next - 1);
            effects.AddGap(_applied + 1, end, reason);
            _applied = end;
        }

        Drain(ref effects);
    }

    private void RaiseGap(RedisGapEventArgs gap) => raiseGap(gap);

    private void SignalFill() => signalFill();

    /// <summary>What the intake does once its lock is released: notify subscribers, wake publishers, report gaps.</summary>
    private struct IntakeEffects
    {
        public BufferedTopic? Topic;
        public List<BufferedTopic>? MoreTopics;
        public List<TaskCompletionSource>? Waiters;
        public List<RedisGapEventArgs>? Gaps;
        public bool SignalFill;

        public void AddGap(ulong first, ulong last, RedisGapReason reason) => (Gaps ??= []).Add(new RedisGapEventArgs(first, last, reason));

        public void AddTopic(BufferedTopic topic)
        {
            if (Topic is null)
            {
                Topic = topic;
            }
            else if (!ReferenceEquals(Topic, topic) && (MoreTopics is not { Count: > 0 } more || !ReferenceEquals(more[^1], topic)))
            {
                (MoreTopics ??= []).Add(topic);
            }
        }

        public readonly void Run(RedisIntake intake)
        {
            Topic?.NotifySubscribers();
            if (MoreTopics is not null)
            {
                foreach (BufferedTopic topic in MoreTopics)
                {
                    topic.NotifySubscribers();
                }
            }

            if (Waiters is not null)
            {
                foreach (TaskCompletionSource waiter in Waiters)
                {
                    waiter.TrySetResult();
                }
            }

            if (Gaps is not null)
            {
                foreach (RedisGapEventArgs gap in Gaps)
                {
                    intake.RaiseGap(gap);
                }
            }

            if (SignalFill)
            {
                intake.SignalFill();
            }
        }
    }
}
