namespace Tether.Redis.Internal;

/// <summary>The Lua scripts Tether.Redis runs on Redis; each runs atomically.</summary>
internal static class Scripts
{
    /// <summary>The script arguments before the frames of <see cref="Publish"/>.</summary>
    public const int PublishFixedArguments = 5;

    /// <summary>
    /// Gives a batch of messages consecutive global ids, stores each in the replay stream under its id, trims the stream
    /// to its bounds and publishes the batch, in one atomic step, so the order of ids is the order of publication and a
    /// node that misses a publication can read it back.
    /// </summary>
    /// <remarks>
    /// <para>KEYS: the counter, the epoch, the replay stream, the stream's byte count. ARGV: the caller's highest known id
    /// (the floor), the stream's length bound, the channel, the stream's byte bound, the stream's time to live in
    /// seconds, then one frame per message, in order. Returns <c>{first id, epoch, messages stored, error}</c>: the
    /// messages stored have the ids from the first on; the error (empty when all were stored) is why the others were
    /// not.</para>
    /// <para><b>What is stored and published.</b> Each message is stored as its envelope,
    /// <c>&lt;id&gt;:&lt;epoch&gt;:&lt;frame&gt;</c>. One message is published as its envelope; several as <c>*</c>
    /// followed, for each, by the envelope's length in decimal, <c>:</c> and the envelope: one PUBLISH per batch.</para>
    /// <para><b>Bounds.</b> The byte count is the sum of the stored envelopes' lengths. After adding, the oldest entries
    /// are deleted while the stream is over either bound, the newest always staying: read oldest first a page at a
    /// time (as many as the count bound is exceeded by, at least one, doubling while the byte bound still needs more)
    /// and deleted with one XDEL per page, so a batch costs two commands to trim, not two per entry; the count is set anew
    /// when the stream holds nothing but this batch, so it cannot drift. The stream and its count expire after the time
    /// to live without publication; the counter and the epoch are single numbers.</para>
    /// <para><b>Epochs.</b> When the epoch key is missing (a new Redis, or one that restarted without its data), the script
    /// starts a new epoch whose first id is above every id used before: above the caller's floor, the counter if it
    /// survived, and the Redis clock in milliseconds times 1024 (so even a node that knew no id before the reset
    /// cannot restart below an earlier epoch unless more than about a million messages per second were published on
    /// average). Ids therefore only grow, across resets too, and a cursor stays meaningful on every node. The epoch is
    /// that base id; it travels with every message so nodes can tell a reset (ids skipped on purpose) from a loss.</para>
    /// <para>Lua numbers are doubles: ids stay below 2^53 (until about the year 2250 with this clock), and every number
    /// that leaves the script as text is formatted with <c>%.0f</c>, never <c>tostring</c>, which would round it.</para>
    /// <para>The counter moves only past messages that were stored: a message Redis refuses (out of memory) ends the batch
    /// there, and neither it nor any later one of the batch gets an id, so an id is never handed out without its
    /// message.</para>
    /// </remarks>
    public const string Publish = """
        local state = redis.call('MGET', KEYS[1], KEYS[2], KEYS[4])
        local epoch = state[2]
        local current
        if epoch then
          current = tonumber(state[1] or epoch)
        else
          local t = redis.call('TIME')
          local clock = (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) * 1024
          current = math.max(clock, tonumber(ARGV[1]) or 0, tonumber(state[1] or '0') or 0)
          epoch = string.format('%.0f', current)
          redis.call('SET', KEYS[1], epoch)
          redis.call('SET', KEYS[2], epoch)
        end
        local first = current + 1
        local bytes = tonumber(state[3] or '0') or 0
        local added = 0
        local stored = {}
        local failure = ''
        for i = 6, #ARGV do
          local idText = string.format('%.0f', current + 1)
          local envelope = idText .. ':' .. epoch .. ':' .. ARGV[i]
          local reply = redis.pcall('XADD', KEYS[3], idText .. '-0', 'm', envelope)
          if type(reply) == 'table' and reply.err then
            failure = reply.err
            break
          end
          current = current + 1
          bytes = bytes + string.len(envelope)
          added = added + string.len(envelope)
          stored[#stored + 1] = envelope
        end
        if #stored == 0 then
          return redis.error_reply(failure)
        end
        redis.call('SET', KEYS[1], string.format('%.0f', current))
        local maxLength = tonumber(ARGV[2])
        local maxBytes = tonumber(ARGV[4])
        local length = redis.call('XLEN', KEYS[3])
        if length <= #stored then
          bytes = added
        end
        local page = math.max(length - maxLength, 1)
        while length > 1 and (length > maxLength or bytes > maxBytes) do
          local oldest = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', math.min(page, 256))
          local doomed = {}
          for _, entry in ipairs(oldest) do
            if length <= 1 or (length <= maxLength and bytes <= maxBytes) then
              break
            end
            doomed[#doomed + 1] = entry[1]
            bytes = bytes - string.len(entry[2][2])
            length = length - 1
          end
          if #doomed == 0 then
            break
          end
          redis.call('XDEL', KEYS[3], unpack(doomed))
          page = page * 2
        end
        if length <= 1 then
          bytes = string.len(stored[#stored])
        end
        redis.call('SET', KEYS[4], string.format('%.0f', bytes), 'EX', ARGV[5])
        redis.call('EXPIRE', KEYS[3], ARGV[5])
        local published = stored[1]
        if #stored > 1 then
          local parts = {}
          for i = 1, #stored do
            parts[i] = string.format('%d', string.len(stored[i])) .. ':' .. stored[i]
          end
          published = '*' .. table.concat(parts)
        end
        redis.call('PUBLISH', ARGV[3], published)
        return {first, epoch, #stored, failure}
        """;
}
