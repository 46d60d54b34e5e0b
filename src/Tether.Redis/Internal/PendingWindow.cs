using Tether.Server.Messaging;

namespace Tether.Redis.Internal;

/// <summary>
/// The messages a node received ahead of a missing id, waiting for it: bounded by count (a window of ids after the last
/// applied one) and by payload bytes.
/// </summary>
/// <remarks>
/// Id <c>i</c> sits at <c>i % Length</c>, so adding, finding and taking the next id are O(1). A message that does not
/// fit (too far ahead, or over the byte bound) is refused: the caller treats it as missing and reads it from the replay
/// stream once the ids before it are in. Not thread-safe: the intake's lock guards it.
/// </remarks>
internal sealed class PendingWindow
{
    private readonly Slot[] _slots;
    private readonly long _maxBytes;
    private long _bytes;

    /// <summary>Creates a window.</summary>
    /// <param name="length">How many ids after the last applied one may wait.</param>
    /// <param name="maxBytes">The most payload bytes that may wait.</param>
    public PendingWindow(int length, long maxBytes)
    {
        _slots = new Slot[Math.Max(2, length)];
        _maxBytes = maxBytes;
    }

    /// <summary>How many messages wait.</summary>
    public int Count { get; private set; }

    /// <summary>The payload bytes waiting.</summary>
    public long Bytes => _bytes;

    /// <summary>The lowest waiting id (valid when <see cref="Count"/> is positive).</summary>
    public ulong Lowest { get; private set; }

    /// <summary>Messages refused because the window was full (for tests and diagnostics).</summary>
    public long Refused { get; private set; }

    /// <summary>Adds a message that arrived ahead of <paramref name="applied"/> + 1.</summary>
    /// <param name="applied">The last applied id.</param>
    /// <param name="id">Its id, above <paramref name="applied"/>.</param>
    /// <param name="message">The message, or <see langword="null"/> for an id whose frame could not be decoded.</param>
    /// <returns><see langword="false"/> when it does not fit (or is there already).</returns>
    public bool TryAdd(ulong applied, ulong id, Message? message)
    {
        int length = message?.Payload.Length ?? 0;
        ref Slot slot = ref _slots[(int)(id % (ulong)_slots.Length)];
        if (slot.Present && slot.Id == id)
        {
            return false;
        }

        if (id - applied >= (ulong)_slots.Length || (Count > 0 && _bytes + length > _maxBytes))
        {
            Refused++;
            return false;
        }

        slot = new Slot(id, message, true);
        _bytes += length;
        Lowest = Count == 0 || id < Lowest ? id : Lowest;
        Count++;
        return true;
    }

    /// <summary>Takes the message with id <paramref name="id"/> if it waits.</summary>
    /// <param name="id">The id.</param>
    /// <param name="message">The message (possibly <see langword="null"/>: an undecodable id).</param>
    /// <returns>Whether it was waiting.</returns>
    public bool TryTake(ulong id, out Message? message)
    {
        ref Slot slot = ref _slots[(int)(id % (ulong)_slots.Length)];
        if (!slot.Present || slot.Id != id)
        {
            message = null;
            return false;
        }

        message = slot.Message;
        _bytes -= message?.Payload.Length ?? 0;
        slot = default;
        Count--;
        if (Count > 0 && Lowest == id)
        {
            Lowest = FindLowest(id + 1);
        }

        return true;
    }

    /// <summary>Drops every waiting message with an id up to <paramref name="applied"/> (applied some other way).</summary>
    /// <param name="applied">The last applied id.</param>
    public void DropThrough(ulong applied)
    {
        while (Count > 0 && Lowest <= applied)
        {
            TryTake(Lowest, out _);
        }
    }

    private ulong FindLowest(ulong from)
    {
        // Every waiting id is within one window length of the last applied id, so one lap finds the lowest.
        ulong lowest = ulong.MaxValue;
        for (int i = 0; i < _slots.Length; i++)
        {
            ulong id = from + (ulong)i;
            Slot slot = _slots[(int)(id % (ulong)_slots.Length)];
            if (slot.Present)
            {
                lowest = Math.Min(lowest, slot.Id);
                if (slot.Id == id)
                {
                    return id;
                }
            }
        }

        return lowest;
    }

    private readonly record struct Slot(ulong Id, Message? Message, bool Present);
}
