namespace Tether.Redis.Internal;

/// <summary>The Lua scripts Tether.Redis runs on Redis; each runs atomically.</summary>
internal static class Scripts
{
    /// <summary>
    /// Gives a message the next global id, stores it in the replay stream under that id, trims the stream to its bounds
    /// and publishes the message, in one atomic step, so the order of ids is the order of publication and a node that
    /// misses a publication can read it back.
    /// </summary>
    /// <remarks>
    /// <para>KEYS: the counter, the epoch, the replay stream, the stream's byte count. ARGV: the frame, the caller's
    /// highest known id (the floor), the stream's length bound, the channel, the stream's byte bound, the stream's time
    /// to live in seconds. Returns <c>{id, epoch}</c>.</para>
    /// <para><b>Bounds.</b> The byte count is the sum of the stored envelopes' lengths. After adding, the oldest entries
    /// are deleted one by one while the stream is over either bound, the newest always staying; the count is set anew
    /// when only the newest is left, so it cannot drift. The stream and its count expire after the time to live
    /// without publication; the counter and the epoch are single numbers.</para>
    /// <para><b>Epochs.</b> When the epoch key is missing (a new Redis, or one that restarted without its data), the script
    /// starts a new epoch whose first id is above every id used before: above the caller's floor, the counter if it
    /// survived, and the Redis clock in milliseconds times 1024 (so even a node that knew no id before the reset
    /// cannot restart below an earlier epoch unless more than about a million messages per second were published on
    /// average). Ids therefore only grow, across resets too, and a cursor stays meaningful on every node. The epoch is
    /// that base id; it travels with every message so nodes can tell a reset (ids skipped on purpose) from a loss.</para>
    /// <para>Lua numbers are doubles: ids stay below 2^53 (until about the year 2250 with this clock), and every number
    /// that leaves the script as text is formatted with <c>%.0f</c>, never <c>tostring</c>, which would round it.</para>
    /// <para>The counter only moves when the message was stored, so an id is never handed out without its message.</para>
    /// </remarks>
    public const string Publish = """
        local epoch = redis.call('GET', KEYS[2])
        if not epoch then
          local t = redis.call('TIME')
          local clock = (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) * 1024
          local floor = tonumber(ARGV[2]) or 0
          local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
          local base = math.max(clock, floor, current)
          epoch = string.format('%.0f', base)
          redis.call('SET', KEYS[1], epoch)
          redis.call('SET', KEYS[2], epoch)
        end
        local id = tonumber(redis.call('GET', KEYS[1]) or epoch) + 1
        local idText = string.format('%.0f', id)
        local payload = idText .. ':' .. epoch .. ':' .. ARGV[1]
        redis.call('XADD', KEYS[3], idText .. '-0', 'm', payload)
        local bytes = redis.call('INCRBY', KEYS[4], string.len(payload))
        local maxLength = tonumber(ARGV[3])
        local maxBytes = tonumber(ARGV[5])
        local length = redis.call('XLEN', KEYS[3])
        while length > 1 and (length > maxLength or bytes > maxBytes) do
          local oldest = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)[1]
          redis.call('XDEL', KEYS[3], oldest[1])
          bytes = redis.call('DECRBY', KEYS[4], string.len(oldest[2][2]))
          length = length - 1
        end
        if length <= 1 then
          redis.call('SET', KEYS[4], string.len(payload))
        end
        redis.call('EXPIRE', KEYS[3], ARGV[6])
        redis.call('EXPIRE', KEYS[4], ARGV[6])
        redis.call('SET', KEYS[1], idText)
        redis.call('PUBLISH', ARGV[4], payload)
        return {id, epoch}
        """;
}
