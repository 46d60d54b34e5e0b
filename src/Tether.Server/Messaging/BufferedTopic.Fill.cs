namespace Tether.Server.Messaging;

/// <summary>
/// Filling a topic with sparse ids from outside (a scale-out bus's replay): a node creates a topic only when one of its
/// own connections needs it, so a reader that resumes an older position has the topic's older messages put in front.
/// </summary>
/// <remarks>
/// <see cref="CompleteAfter"/> is the id after which the topic holds every message of its own (within its bounds): the
/// bus's last applied id when the topic was first used. Until it is set (<see cref="ulong.MaxValue"/>) and for readers
/// positioned before it, the topic is incomplete: such readers wait for <see cref="TryPrepend"/>, which puts the older
/// messages in front of the oldest kept one and lowers <see cref="CompleteAfter"/>.
/// </remarks>
internal sealed partial class BufferedTopic
{
    /// <summary>The id after which every message of the topic is held (or was dropped by its bounds).</summary>
    public ulong CompleteAfter => Volatile.Read(ref _completeAfter);

    /// <summary>Sets <see cref="CompleteAfter"/> the first time the topic is used.</summary>
    /// <param name="appliedId">The bus's last applied id, read after the topic was in the bus's table.</param>
    public void EnsureCompleteAfter(ulong appliedId) => Interlocked.CompareExchange(ref _completeAfter, appliedId, ulong.MaxValue);

    /// <summary>Puts older messages in front, within the topic's bounds (newest first), and lowers <see cref="CompleteAfter"/>.</summary>
    /// <param name="older">Messages of this topic with ids in (<paramref name="after"/>, <see cref="CompleteAfter"/>], oldest first.</param>
    /// <param name="after">The position they were read from: the topic is complete after it once they are in.</param>
    /// <returns><see langword="false"/> when the topic was removed.</returns>
    public bool TryPrepend(IReadOnlyList<StoredMessage> older, ulong after)
    {
        ulong first;
        ulong count;
        TopicSubscription?[] slots;
        int used;
        lock (Gate)
        {
            if (_removed)
            {
                return false;
            }

            ulong oldestKept = _head < _next ? _buffer[(int)(_head % (ulong)_buffer.Length)].Id : ulong.MaxValue;
            ulong limit = Math.Min(oldestKept, _completeAfter == ulong.MaxValue ? ulong.MaxValue : _completeAfter + 1);
            ulong kept = _next - _head;
            long bytes = _bytes;
            int take = 0;
            for (int i = older.Count - 1; i >= 0; i--)
            {
                StoredMessage stored = older[i];
                int length = stored.Message.Payload.Length;
                if (stored.Id <= after || stored.Id >= limit)
                {
                    continue;
                }

                if (kept + (ulong)take + 1 > (ulong)_settings.Capacity || bytes + length > _settings.MaxBytes || (ulong)take >= _head)
                {
                    break;
                }

                bytes += length;
                take++;
            }

            StoredMessage[] buffer = _buffer;
            while ((ulong)buffer.Length < kept + (ulong)take)
            {
                buffer = Grow(buffer);
            }

            // Written below the head first, then the head moves down (release): readers see either the old or the new range.
            first = _head - (ulong)take;
            count = (ulong)take;
            ulong seq = _head;
            for (int i = older.Count - 1; i >= 0 && seq > first; i--)
            {
                StoredMessage stored = older[i];
                if (stored.Id > after && stored.Id < limit)
                {
                    seq--;
                    buffer[(int)(seq % (ulong)buffer.Length)] = stored;
                    _bytes += stored.Message.Payload.Length;
                    _settings.Budget.Added(stored.Message.Payload.Length);
                }
            }

            Volatile.Write(ref _head, first);
            Volatile.Write(ref _completeAfter, Math.Min(after, _completeAfter));
            slots = _subscribers.Snapshot(out used);
        }

        for (ulong seq = first; seq < first + count; seq++)
        {
            _settings.Budget.Record(this, seq);
        }

        SubscriberSet.NotifyAll(slots, used);
        return true;
    }
}
