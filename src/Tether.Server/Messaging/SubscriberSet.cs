namespace Tether.Server.Messaging;

/// <summary>
/// The subscriptions of one topic: adding and removing one costs O(1) amortized, and a publisher notifies them all
/// without a lock and without allocating.
/// </summary>
/// <remarks>
/// <para>Subscribers sit in slots of an array that only grows (doubling). A subscriber keeps the index of its slot, so
/// removal clears that slot and pushes the index on a free list that the next addition reuses. Changes are made under
/// the owning topic's lock; <see cref="Snapshot"/> (also taken under that lock) returns the array and the number of
/// slots ever used, which a publisher then walks without the lock, skipping empty slots.</para>
/// <para>A publisher walking an older snapshot may notify a subscriber that has just left (it ignores callbacks once
/// disposed) or miss one that joined after the publication (which starts reading after that message anyway).</para>
/// </remarks>
internal sealed class SubscriberSet
{
    private const int InitialCapacity = 4;

    private TopicSubscription?[] _slots = [];
    private int[] _free = [];
    private int _freeCount;
    private int _used;

    /// <summary>How many subscribers are registered.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a subscriber. Call under the topic's lock.</summary>
    /// <param name="subscriber">The subscription.</param>
    /// <returns>The slot, to pass to <see cref="Remove"/>.</returns>
    public int Add(TopicSubscription subscriber)
    {
        int slot;
        if (_freeCount > 0)
        {
            slot = _free[--_freeCount];
        }
        else
        {
            if (_used == _slots.Length)
            {
                var grown = new TopicSubscription?[Math.Max(InitialCapacity, _slots.Length * 2)];
                Array.Copy(_slots, grown, _used);
                Volatile.Write(ref _slots, grown);
            }

            slot = _used++;
        }

        Volatile.Write(ref _slots[slot], subscriber);
        Count++;
        return slot;
    }

    /// <summary>Removes the subscriber in <paramref name="slot"/>, if it is <paramref name="subscriber"/>. Call under the topic's lock.</summary>
    /// <param name="subscriber">The subscription.</param>
    /// <param name="slot">The slot <see cref="Add"/> returned.</param>
    /// <returns>Whether it was registered there.</returns>
    public bool Remove(TopicSubscription subscriber, int slot)
    {
        if ((uint)slot >= (uint)_used || !ReferenceEquals(_slots[slot], subscriber))
        {
            return false;
        }

        Volatile.Write(ref _slots[slot], null);
        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, Math.Max(InitialCapacity, _free.Length * 2));
        }

        _free[_freeCount++] = slot;
        Count--;
        return true;
    }

    /// <summary>The slots and how many of them were ever used, to walk with <see cref="NotifyAll"/>. Call under the topic's lock.</summary>
    /// <param name="used">The number of slots to walk.</param>
    /// <returns>The slots.</returns>
    public TopicSubscription?[] Snapshot(out int used)
    {
        used = _used;
        return _slots;
    }

    /// <summary>Notifies every subscriber of a snapshot. Call without any lock held.</summary>
    /// <param name="slots">The slots of <see cref="Snapshot"/>.</param>
    /// <param name="used">The number of slots to walk.</param>
    public static void NotifyAll(TopicSubscription?[] slots, int used)
    {
        for (int i = 0; i < used; i++)
        {
            Volatile.Read(ref slots[i])?.Notify();
        }
    }
}
