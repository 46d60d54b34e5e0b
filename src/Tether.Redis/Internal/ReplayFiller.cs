using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tether.Server.Messaging;

namespace Tether.Redis.Internal;

/// <summary>
/// The intake's background work: reads missing ids from the replay stream, catches up after reconnects, checks the
/// counter while idle, (re)subscribes when the first attempt failed, and fills topics a subscription resumes from
/// before this node held them.
/// </summary>
/// <remarks>
/// A topic fill reads the stream backwards from the topic's <see cref="BufferedTopic.CompleteAfter"/> towards the
/// subscription's position and keeps that topic's messages until the topic's own bounds are full (older ones would be
/// dropped anyway: a reader sees that gap as with a trimmed buffer); one fill per topic is pending at a time (the lowest
/// position wins). Its cost is bounded by the replay stream's own bounds (<see cref="RedisBackplaneOptions.ReplayMaxBytes"/>).
/// </remarks>
/// <param name="connection">The Redis connection.</param>
/// <param name="keys">The cluster's keys.</param>
/// <param name="intake">The intake it feeds.</param>
/// <param name="ensureSubscribed">Subscribes to the channel and reads the starting id, unless done already.</param>
/// <param name="internTopic">Decodes topic names, reusing known ones.</param>
/// <param name="topicSettings">The node's topic bounds and clock.</param>
/// <param name="logger">The logger.</param>
internal sealed class ReplayFiller(
    RedisConnection connection,
    RedisKeys keys,
    RedisIntake intake,
    Func<Task> ensureSubscribed,
    Func<ReadOnlySpan<byte>, string> internTopic,
    TopicSettings topicSettings,
    ILogger logger) : IDisposable
{
    /// <summary>Entries read from the replay stream per request (each at most one message, so a page is bounded too).</summary>
    private const int FetchPageSize = 100;

    /// <summary>How often an idle node checks Redis's counter for messages it may have missed.</summary>
    private static readonly TimeSpan IdleCheckInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long the loop waits after a failed read from Redis before it tries again.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly Dictionary<BufferedTopic, ulong> _topicFills = [];
    private bool _failing;

    /// <summary>Wakes the loop.</summary>
    public void Signal()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    /// <summary>Asks for <paramref name="topic"/>'s messages after <paramref name="after"/> that it does not hold.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="after">The last id a subscription has read of it.</param>
    public void RequestTopicFill(BufferedTopic topic, ulong after)
    {
        lock (_topicFills)
        {
            _topicFills[topic] = _topicFills.TryGetValue(topic, out ulong pending) ? Math.Min(pending, after) : after;
        }

        Signal();
    }

    /// <summary>Releases the signal; call once the loop has ended.</summary>
    public void Dispose() => _signal.Dispose();

    /// <summary>Runs until cancelled.</summary>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <returns>A task that completes when stopped.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                bool signalled = await _signal.WaitAsync(IdleCheckInterval, cancellationToken).ConfigureAwait(false);
                IConnectionMultiplexer multiplexer = await connection.GetAsync().ConfigureAwait(false);
                if (!multiplexer.IsConnected)
                {
                    // StackExchange.Redis reconnects by itself; ConnectionRestored (or the next idle check) resumes here.
                    continue;
                }

                await ensureSubscribed().ConfigureAwait(false);
                if (!signalled)
                {
                    intake.NoteCounter(ParseId(await Database(multiplexer).StringGetAsync(keys.Counter).ConfigureAwait(false)));
                }

                await FillAsync(multiplexer, cancellationToken).ConfigureAwait(false);
                await FillTopicsAsync(Database(multiplexer)).ConfigureAwait(false);
                if (_failing)
                {
                    _failing = false;
                    RedisLog.IntakeRecovered(logger);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Once per outage as a warning; the retries of the same outage only at debug level.
                if (!_failing)
                {
                    _failing = true;
                    RedisLog.IntakeFailed(logger, ex.Message);
                }
                else
                {
                    RedisLog.IntakeStillFailing(logger, ex.Message);
                }

                try
                {
                    await Task.Delay(RetryDelay, topicSettings.Time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Signal();
            }
#pragma warning disable CA1031 // The loop must survive anything; a bug is logged, not allowed to stop delivery.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RedisLog.IntakeCrashed(logger, ex);
                Signal();
            }
        }
    }

    /// <summary>Parses a counter or epoch value; 0 when missing.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The number.</returns>
    public static ulong ParseId(RedisValue value) =>
        value.HasValue && ulong.TryParse((string?)value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong id) ? id : 0;

    private IDatabase Database(IConnectionMultiplexer multiplexer) => multiplexer.GetDatabase(connection.Options.Database);

    /// <summary>Reads from the replay stream until there is no hole and no catch-up left.</summary>
    private async Task FillAsync(IConnectionMultiplexer multiplexer, CancellationToken cancellationToken)
    {
        while (intake.NextFill() is { } plan)
        {
            if (plan.Wait > TimeSpan.Zero)
            {
                await Task.Delay(plan.Wait, topicSettings.Time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            ulong newest = await FetchAsync(Database(multiplexer), plan).ConfigureAwait(false);
            RedisLog.Filled(logger, plan.From, plan.To == ulong.MaxValue ? 0 : plan.To);
            intake.CompleteFill(plan, newest);
        }
    }

    /// <summary>Fills every topic that asked, one at a time; a request stays until its fill is done.</summary>
    private async Task FillTopicsAsync(IDatabase database)
    {
        while (true)
        {
            BufferedTopic topic;
            ulong after;
            lock (_topicFills)
            {
                using Dictionary<BufferedTopic, ulong>.Enumerator pending = _topicFills.GetEnumerator();
                if (!pending.MoveNext())
                {
                    return;
                }

                (topic, after) = pending.Current;
            }

            ulong complete = topic.CompleteAfter;
            if (!topic.IsRemoved && after < complete && complete != ulong.MaxValue)
            {
                topic.TryPrepend(await ReadTopicAsync(database, topic.Name, after, complete).ConfigureAwait(false), after);
            }

            lock (_topicFills)
            {
                if (_topicFills.TryGetValue(topic, out ulong now) && now >= after)
                {
                    _topicFills.Remove(topic);
                }
            }
        }
    }

    /// <summary>
    /// The newest messages of one topic with ids in (<paramref name="after"/>, <paramref name="upTo"/>] still in the stream,
    /// oldest first: read newest first, and only until the topic's own bounds are full (older ones would not be kept).
    /// </summary>
    private async Task<List<StoredMessage>> ReadTopicAsync(IDatabase database, string topic, ulong after, ulong upTo)
    {
        var found = new List<StoredMessage>();
        long bytes = 0;
        ulong high = upTo;
        RedisValue minId = (after + 1).ToString(CultureInfo.InvariantCulture) + "-0";
        while (high > after && found.Count < topicSettings.Capacity && bytes < topicSettings.MaxBytes)
        {
            RedisValue maxId = high.ToString(CultureInfo.InvariantCulture) + "-0";
            StreamEntry[] entries = await database.StreamRangeAsync(keys.Stream, minId, maxId, FetchPageSize, Order.Descending).ConfigureAwait(false);
            ulong before = high;
            foreach (StreamEntry entry in entries)
            {
                high = Math.Min(high, StreamId(entry) - 1);
                if (Decode(entry["m"], out ulong id, out _, out Message? message) && id > after && id <= upTo && message is not null
                    && string.Equals(message.Topic, topic, StringComparison.Ordinal))
                {
                    found.Add(new StoredMessage(id, message));
                    bytes += message.Payload.Length;
                    if (found.Count >= topicSettings.Capacity || bytes >= topicSettings.MaxBytes)
                    {
                        break;
                    }
                }
            }

            if (entries.Length < FetchPageSize || high >= before)
            {
                break;
            }
        }

        RedisLog.Filled(logger, after + 1, upTo);
        found.Reverse();
        return found;
    }

    /// <summary>Offers the stream's entries from <see cref="FillPlan.From"/> to <see cref="FillPlan.To"/> to the intake.</summary>
    /// <returns>The newest id read, or 0.</returns>
    private async Task<ulong> FetchAsync(IDatabase database, FillPlan plan)
    {
        ulong next = plan.From;
        ulong newest = 0;
        RedisValue maxId = plan.To == ulong.MaxValue ? "+" : plan.To.ToString(CultureInfo.InvariantCulture) + "-0";
        while (true)
        {
            StreamEntry[] entries = await database.StreamRangeAsync(keys.Stream, next.ToString(CultureInfo.InvariantCulture) + "-0", maxId, FetchPageSize).ConfigureAwait(false);
            ulong last = 0;
            foreach (StreamEntry entry in entries)
            {
                if (Decode(entry["m"], out ulong id, out ulong epoch, out Message? message))
                {
                    last = Math.Max(last, id);
                    newest = Math.Max(newest, id);
                    intake.Offer(id, epoch, message, IntakeSource.Replay);
                }
            }

            if (entries.Length < FetchPageSize || last == 0 || last >= plan.To)
            {
                return newest;
            }

            next = last + 1;
        }
    }

    /// <summary>The id part of a stream entry's id (<c>&lt;id&gt;-0</c>).</summary>
    private static ulong StreamId(StreamEntry entry)
    {
        string text = entry.Id.ToString();
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        return ulong.TryParse(text.AsSpan(0, dash < 0 ? text.Length : dash), NumberStyles.None, CultureInfo.InvariantCulture, out ulong id) && id > 0 ? id : 1;
    }

    /// <summary>Splits and decodes an envelope; a bad frame yields a null message (its id still counts).</summary>
    /// <param name="value">The stored envelope.</param>
    /// <param name="id">Its id.</param>
    /// <param name="epoch">Its epoch.</param>
    /// <param name="message">The message, or <see langword="null"/> when its frame is bad.</param>
    /// <returns><see langword="false"/> when it is not an envelope at all.</returns>
    public bool Decode(RedisValue value, out ulong id, out ulong epoch, out Message? message) =>
        Decode(((byte[]?)value).AsSpan(), out id, out epoch, out message);

    /// <summary>Splits and decodes an envelope; a bad frame yields a null message (its id still counts).</summary>
    /// <param name="data">The published or stored envelope.</param>
    /// <param name="id">Its id.</param>
    /// <param name="epoch">Its epoch.</param>
    /// <param name="message">The message, or <see langword="null"/> when its frame is bad.</param>
    /// <returns><see langword="false"/> when it is not an envelope at all.</returns>
    public bool Decode(ReadOnlySpan<byte> data, out ulong id, out ulong epoch, out Message? message)
    {
        message = null;
        if (!Envelope.TrySplit(data, out id, out epoch, out ReadOnlySpan<byte> frame))
        {
            id = 0;
            epoch = 0;
            RedisLog.BadEnvelope(logger);
            return false;
        }

        if (!MessageFrame.TryDecode(frame, internTopic, out message))
        {
            RedisLog.BadFrame(logger, id);
            message = null;
        }

        return true;
    }
}
