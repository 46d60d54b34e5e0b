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
/// A topic fill reads the stream from the subscription's position to the topic's <see cref="BufferedTopic.CompleteAfter"/>
/// and keeps that topic's messages; one fill per topic is pending at a time (the lowest position wins). Its cost is
/// bounded by the replay stream's own bounds (<see cref="RedisBackplaneOptions.ReplayMaxBytes"/>).
/// </remarks>
internal sealed class ReplayFiller : IDisposable
{
    /// <summary>Entries read from the replay stream per request (each at most one message, so a page is bounded too).</summary>
    private const int FetchPageSize = 100;

    /// <summary>How often an idle node checks Redis's counter for messages it may have missed.</summary>
    private static readonly TimeSpan IdleCheckInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long the loop waits after a failed read from Redis before it tries again.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly RedisConnection _connection;
    private readonly RedisKeys _keys;
    private readonly RedisIntake _intake;
    private readonly Func<Task> _ensureSubscribed;
    private readonly Func<ReadOnlySpan<byte>, string> _internTopic;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly Dictionary<BufferedTopic, ulong> _topicFills = [];
    private bool _failing;

    public ReplayFiller(RedisConnection connection, RedisKeys keys, RedisIntake intake, Func<Task> ensureSubscribed, Func<ReadOnlySpan<byte>, string> internTopic, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _keys = keys;
        _intake = intake;
        _ensureSubscribed = ensureSubscribed;
        _internTopic = internTopic;
        _time = time;
        _logger = logger;
    }

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
                ConnectionMultiplexer multiplexer = await _connection.GetAsync().ConfigureAwait(false);
                if (!multiplexer.IsConnected)
                {
                    // StackExchange.Redis reconnects by itself; ConnectionRestored (or the next idle check) resumes here.
                    continue;
                }

                await _ensureSubscribed().ConfigureAwait(false);
                if (!signalled)
                {
                    _intake.NoteCounter(ParseId(await Database(multiplexer).StringGetAsync(_keys.Counter).ConfigureAwait(false)));
                }

                await FillAsync(multiplexer, cancellationToken).ConfigureAwait(false);
                await FillTopicsAsync(Database(multiplexer)).ConfigureAwait(false);
                if (_failing)
                {
                    _failing = false;
                    RedisLog.IntakeRecovered(_logger);
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
                    RedisLog.IntakeFailed(_logger, ex.Message);
                }
                else
                {
                    RedisLog.IntakeStillFailing(_logger, ex.Message);
                }

                try
                {
                    await Task.Delay(RetryDelay, _time, cancellationToken).ConfigureAwait(false);
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
                RedisLog.IntakeCrashed(_logger, ex);
                Signal();
            }
        }
    }

    /// <summary>Parses a counter or epoch value; 0 when missing.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The number.</returns>
    public static ulong ParseId(RedisValue value) =>
        value.HasValue && ulong.TryParse((string?)value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong id) ? id : 0;

    private IDatabase Database(ConnectionMultiplexer multiplexer) => multiplexer.GetDatabase(_connection.Options.Database);

    /// <summary>Reads from the replay stream until there is no hole and no catch-up left.</summary>
    private async Task FillAsync(ConnectionMultiplexer multiplexer, CancellationToken cancellationToken)
    {
        while (_intake.NextFill() is { } plan)
        {
            if (plan.Wait > TimeSpan.Zero)
            {
                await Task.Delay(plan.Wait, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            ulong newest = await FetchAsync(Database(multiplexer), plan).ConfigureAwait(false);
            RedisLog.Filled(_logger, plan.From, plan.To == ulong.MaxValue ? 0 : plan.To);
            _intake.CompleteFill(plan, newest);
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

    /// <summary>The messages of one topic with ids in (<paramref name="after"/>, <paramref name="upTo"/>] still in the stream.</summary>
    private async Task<List<StoredMessage>> ReadTopicAsync(IDatabase database, string topic, ulong after, ulong upTo)
    {
        var found = new List<StoredMessage>();
        ulong next = after + 1;
        RedisValue maxId = upTo.ToString(CultureInfo.InvariantCulture) + "-0";
        while (next <= upTo)
        {
            StreamEntry[] entries = await database.StreamRangeAsync(_keys.Stream, next.ToString(CultureInfo.InvariantCulture) + "-0", maxId, FetchPageSize).ConfigureAwait(false);
            foreach (StreamEntry entry in entries)
            {
                if (Decode(entry["m"], out ulong id, out _, out Message? message) && id > after && id <= upTo && message is not null
                    && string.Equals(message.Topic, topic, StringComparison.Ordinal))
                {
                    found.Add(new StoredMessage(id, message));
                }

                next = Math.Max(next, StreamId(entry) + 1);
            }

            if (entries.Length < FetchPageSize)
            {
                break;
            }
        }

        RedisLog.Filled(_logger, after + 1, upTo);
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
            StreamEntry[] entries = await database.StreamRangeAsync(_keys.Stream, next.ToString(CultureInfo.InvariantCulture) + "-0", maxId, FetchPageSize).ConfigureAwait(false);
            ulong last = 0;
            foreach (StreamEntry entry in entries)
            {
                if (Decode(entry["m"], out ulong id, out ulong epoch, out Message? message))
                {
                    last = Math.Max(last, id);
                    newest = Math.Max(newest, id);
                    _intake.Offer(id, epoch, message, IntakeSource.Replay);
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
        return ulong.TryParse(text.AsSpan(0, dash < 0 ? text.Length : dash), NumberStyles.None, CultureInfo.InvariantCulture, out ulong id) ? id : 0;
    }

    /// <summary>Splits and decodes an envelope; a bad frame yields a null message (its id still counts).</summary>
    /// <param name="value">The published or stored envelope.</param>
    /// <param name="id">Its id.</param>
    /// <param name="epoch">Its epoch.</param>
    /// <param name="message">The message, or <see langword="null"/> when its frame is bad.</param>
    /// <returns><see langword="false"/> when it is not an envelope at all.</returns>
    public bool Decode(RedisValue value, out ulong id, out ulong epoch, out Message? message)
    {
        message = null;
        byte[]? data = (byte[]?)value;
        if (data is null || !Envelope.TrySplit(data, out id, out epoch, out ReadOnlySpan<byte> frame))
        {
            id = 0;
            epoch = 0;
            RedisLog.BadEnvelope(_logger);
            return false;
        }

        if (!MessageFrame.TryDecode(frame, _internTopic, out message))
        {
            RedisLog.BadFrame(_logger, id);
            message = null;
        }

        return true;
    }
}
