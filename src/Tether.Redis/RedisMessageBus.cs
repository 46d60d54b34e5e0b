using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tether.Redis.Internal;
using Tether.Server;
using Tether.Server.Messaging;

namespace Tether.Redis;

/// <summary>
/// The Redis backplane: an <see cref="IMessageBus"/> that makes several Tether server nodes act as one. Every message
/// gets a global id from Redis atomically with its publication; every node receives every message, keeps the latest ones
/// per topic in its own buffers keyed by those ids, and hands out cursors that resume on any node.
/// </summary>
/// <remarks>
/// <para><b>Ids.</b> One Lua script increments a counter, appends the message to a bounded replay stream under the new id
/// (<see cref="RedisBackplaneOptions.ReplayLength"/>) and publishes it on one channel. Ids are therefore the order of
/// publication on Redis: messages from one sender (one awaited <see cref="PublishAsync"/> after another, or several
/// pipelined on one connection) keep their order on every node.</para>
/// <para><b>Intake.</b> A node applies messages to its topics strictly in id order. A missing id is first awaited from
/// pub/sub (<see cref="RedisBackplaneOptions.GapFillDelay"/>; at once when a later id already came by pub/sub, whose
/// order is that of publication), then read from the replay stream. An id that the stream no longer has is a gap: it is
/// logged and raised through <see cref="GapDetected"/>, never skipped silently. After a reconnect, and every few seconds
/// while idle, the node compares its last id with Redis's counter and reads what it missed.</para>
/// <para><b>Redis down.</b> <see cref="PublishAsync"/> fails fast with a <see cref="RedisBackplaneException"/>: no
/// queue. A queue would only move the failure (it must be bounded, and then drops or blocks), would give the queued
/// messages ids after messages other nodes publish later, and would hide from the caller that nothing was sent.
/// StackExchange.Redis reconnects by itself; the node then re-subscribes and reads what it missed from the stream.</para>
/// <para><b>Redis loses its data</b> (restart without persistence): the next publication starts a new epoch whose ids
/// are above every earlier id, so cursors stay valid; nodes report the possible loss of messages they had not yet
/// received before the reset (<see cref="RedisGapReason.RedisDataLost"/>). Nothing published after the reset is lost.</para>
/// <para><b>Cursors</b> read <c>s-&lt;CLUSTER&gt;,&lt;ID&gt;</c> ("every message up to global id ID was read"), with
/// entries for topics that joined late; any node resumes them exactly (within its per-topic buffers). Foreign or garbage
/// cursors start at "now". <see cref="GetNextId"/> is the node's last applied id plus one: every message it has not yet
/// applied, and every later one, has a larger id.</para>
/// </remarks>
public sealed partial class RedisMessageBus : IMessageBus, IHostedService, IAsyncDisposable, IDisposable
{
    /// <summary>Entries read from the replay stream per request.</summary>
    private const int FetchPageSize = 1000;

    /// <summary>How long a publisher waits for its message to be applied locally before it returns anyway.</summary>
    private static readonly TimeSpan LocalApplyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How often an idle node checks Redis's counter for messages it may have missed.</summary>
    private static readonly TimeSpan IdleCheckInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long the intake waits after a failed read from Redis before it tries again.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MinSweepPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxSweepPeriod = TimeSpan.FromHours(1);

    private readonly RedisConnection _connection;
    private readonly RedisBackplaneOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _bufferSize;
    private readonly TimeSpan _topicTtl;
    private readonly ConcurrentDictionary<string, LocalTopic> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LocalTopic>.AlternateLookup<ReadOnlySpan<char>> _topicsBySpan;
    private readonly RedisKey[] _keys;
    private readonly RedisKey _counterKey;
    private readonly RedisKey _epochKey;
    private readonly RedisKey _streamKey;
    private readonly RedisChannel _channel;
    private readonly RedisValue _channelValue;
    private readonly RedisValue _replayLength;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _fillSignal = new(0, 1);
    private readonly ITimer? _sweepTimer;

    // The intake, under _intakeLock.
    private readonly Lock _intakeLock = new();
    private readonly SortedList<ulong, PendingMessage> _pending = [];
    private readonly PriorityQueue<TaskCompletionSource, ulong> _waiters = new();
    private ulong _applied;

    // What readers see of _applied, written (release) only once every message up to it is in its topic.
    private ulong _visible;
    private ulong _epoch;
    private bool _initialized;
    private ulong _highestFromPubSub;
    private long _holeSince;
    private bool _catchUpRequested;

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ChannelMessageQueue? _queue;
    private bool _intakeFailing;
    private ConnectionMultiplexer? _multiplexer;
    private Task? _fillLoop;
    private int _sweeping;
    private int _started;
    private int _disposed;

    internal RedisMessageBus(RedisConnection connection, IOptions<PersistentConnectionOptions> connectionOptions, TimeProvider time, ILogger<RedisMessageBus> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(connectionOptions);
        _connection = connection;
        _options = connection.Options;
        _time = time;
        _logger = logger;
        PersistentConnectionOptions settings = connectionOptions.Value;
        _bufferSize = Math.Clamp(settings.DefaultMessageBufferSize, 1, Array.MaxLength - 1);
        _topicTtl = GetTopicTtl(settings);
        _topicsBySpan = _topics.GetAlternateLookup<ReadOnlySpan<char>>();

        string prefix = _options.Prefix;
        _counterKey = new RedisKey("{" + prefix + "}:id");
        _epochKey = new RedisKey("{" + prefix + "}:epoch");
        _streamKey = new RedisKey("{" + prefix + "}:stream");
        _keys = [_counterKey, _epochKey, _streamKey];
        _channel = RedisChannel.Literal(prefix + ":messages");
        _channelValue = prefix + ":messages";
        _replayLength = Math.Max(1, _options.ReplayLength);
        ClusterTag = ScaleoutCursor.ClusterTag(prefix);

        if (_topicTtl != TimeSpan.MaxValue)
        {
            TimeSpan period = TimeSpan.FromTicks(Math.Clamp(_topicTtl.Ticks / 4, MinSweepPeriod.Ticks, MaxSweepPeriod.Ticks));
            // The timer must not capture the ambient context (e.g. the request that first resolved the singleton).
            bool restoreFlow = !ExecutionContext.IsFlowSuppressed();
            if (restoreFlow)
            {
                ExecutionContext.SuppressFlow();
            }

            try
            {
                _sweepTimer = time.CreateTimer(static s => ((RedisMessageBus)s!).SweepTopics(), this, period, period);
            }
            finally
            {
                if (restoreFlow)
                {
                    ExecutionContext.RestoreFlow();
                }
            }
        }
    }

    /// <summary>
    /// Raised when this node can never deliver some messages: they were missed and are no longer in Redis. Also logged as
    /// a warning. Handlers run on a thread-pool thread and must not block.
    /// </summary>
    public event EventHandler<RedisGapEventArgs>? GapDetected;

    /// <summary>The global id of the latest message this node has applied (0 before the first).</summary>
    public ulong AppliedId => Volatile.Read(ref _visible);

    /// <summary>Whether the node is subscribed to Redis and has its starting id.</summary>
    public bool IsConnected => _multiplexer?.IsConnected == true && Volatile.Read(ref _initialized);

    /// <summary>The intake's state, for diagnostics in tests.</summary>
    internal string DebugState
    {
        get
        {
            lock (_intakeLock)
            {
                return $"applied {_applied} epoch {_epoch} init {_initialized} pending {_pending.Count} [{string.Join(",", _pending.Keys.Take(5))}] waiters {_waiters.Count} pubsub {_highestFromPubSub} holeSince {_holeSince} catchUp {_catchUpRequested} loop {_fillLoop?.Status}";
            }
        }
    }

    /// <summary>This cluster's tag in cursors.</summary>
    internal uint ClusterTag { get; }

    /// <summary>How many topics the node holds.</summary>
    internal int TopicCount => _topics.Count;

    /// <inheritdoc/>
    /// <remarks>
    /// Completes when Redis has given the message its id and this node has applied it, so this node's subscribers can
    /// read it (other nodes apply it as it reaches them). Throws <see cref="RedisBackplaneException"/> at once when Redis
    /// is unreachable or refuses the command: the message was not sent.
    /// </remarks>
    public async ValueTask PublishAsync(Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        byte[] frame = MessageFrame.Encode(message);
        RedisResult result;
        try
        {
            ConnectionMultiplexer multiplexer = await _connection.GetAsync().ConfigureAwait(false);
            IDatabase database = multiplexer.GetDatabase(_options.Database);
            RedisValue floor = AppliedId.ToString(CultureInfo.InvariantCulture);
            result = await database.ScriptEvaluateAsync(Scripts.Publish, _keys, [frame, floor, _replayLength, _channelValue]).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.PublishFailed(_logger, message.Topic, ex.Message);
            throw new RedisBackplaneException(
                $"Could not publish to Redis ({ex.GetType().Name}: {ex.Message}). Tether.Redis fails fast while Redis is unreachable: the message was not sent{(ex is TimeoutException ? " (after a timeout it may have been)" : string.Empty)}.",
                ex);
        }

        var parts = (RedisResult[]?)result;
        if (parts is not { Length: 2 })
        {
            throw new RedisBackplaneException("Redis answered the publish script with an unexpected result.");
        }

        ulong id = (ulong)(long)parts[0];
        ulong epoch = ulong.Parse((string)parts[1]!, NumberStyles.None, CultureInfo.InvariantCulture);

        // Our own message needs no round trip through pub/sub.
        Offer(id, epoch, message, Source.Publisher);
        await WaitAppliedAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The node's last applied id plus one. Redis gives every message this node has not applied yet, and every later
    /// one, a larger id, so a subscription started there misses nothing published afterwards, on any node.
    /// </remarks>
    public ulong GetNextId(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        while (!GetOrCreateTopic(topic).TryTouch())
        {
            ForgetRemovedTopic(GetOrCreateTopic(topic));
        }

        return AppliedId + 1;
    }

    /// <inheritdoc/>
    /// <remarks>Cursors of this cluster resume on any node; others (the in-process bus's, another cluster's) start at "now".</remarks>
    public IMessageSubscription Subscribe(IEnumerable<string> topics, string? cursor, Action onMessagesAvailable)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(onMessagesAvailable);
        var subscription = new RedisSubscription(this, onMessagesAvailable, topics.TryGetNonEnumeratedCount(out int count) ? count : 4);
        subscription.Start(topics, cursor);
        return subscription;
    }

    /// <summary>Connects, subscribes and reads the current id, then keeps the intake going until stopped.</summary>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>A task that completes when the node is subscribed, or when a first attempt failed (it keeps trying).</returns>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        ConnectionMultiplexer multiplexer = await _connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _multiplexer = multiplexer;
        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        _fillLoop = Task.Run(() => RunIntakeAsync(_stopping.Token), CancellationToken.None);
        try
        {
            await SubscribeAndInitializeAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The intake loop keeps trying; publications fail fast until Redis is reachable.
            Log.StartFailed(_logger, ex.Message);
        }
    }

    /// <summary>Stops the intake and unsubscribes.</summary>
    /// <param name="cancellationToken">Abandons the wait for the intake.</param>
    /// <returns>A task that completes when stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_multiplexer is { } multiplexer)
        {
            multiplexer.ConnectionFailed -= OnConnectionFailed;
            multiplexer.ConnectionRestored -= OnConnectionRestored;
        }

        if (_queue is { } queue)
        {
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Redis is gone: the subscription went with it.
            }
        }

        if (_fillLoop is { } loop)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the intake and the topic sweep. The Redis connection belongs to the service container.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Already stopping.
        }

        _sweepTimer?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Stops the intake and the topic sweep.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The live topic with this name, created if needed.</summary>
    /// <param name="name">The topic name.</param>
    /// <returns>The topic.</returns>
    internal LocalTopic GetOrCreateTopic(string name) =>
        _topics.GetOrAdd(name, static (name, bus) => new LocalTopic(name, bus._bufferSize, bus._time), this);

    /// <summary>Drops a topic that was found removed, so a retry creates a new one.</summary>
    /// <param name="topic">The removed topic.</param>
    internal void ForgetRemovedTopic(LocalTopic topic) => _topics.TryRemove(KeyValuePair.Create(topic.Name, topic));

    /// <summary>Removes every topic that has had no subscriber and no message for the topic time to live.</summary>
    internal void SweepTopics()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            long now = _time.GetTimestamp();
            foreach (KeyValuePair<string, LocalTopic> pair in _topics)
            {
                if (pair.Value.TryExpire(now, _topicTtl))
                {
                    _topics.TryRemove(pair);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private static TimeSpan GetTopicTtl(PersistentConnectionOptions options)
    {
        try
        {
            TimeSpan ttl = options.TopicTtl;
            return ttl > TimeSpan.Zero ? ttl : TimeSpan.Zero;
        }
        catch (OverflowException)
        {
            return TimeSpan.MaxValue;
        }
    }

    private async Task SubscribeAndInitializeAsync()
    {
        ConnectionMultiplexer multiplexer = await _connection.GetAsync().ConfigureAwait(false);
        if (_queue is null)
        {
            ChannelMessageQueue queue = await multiplexer.GetSubscriber().SubscribeAsync(_channel).ConfigureAwait(false);
            queue.OnMessage(OnPubSubMessage);
            _queue = queue;
        }

        if (!Volatile.Read(ref _initialized))
        {
            // Subscribed first: anything published from here on arrives, and what is at or below the counter is "before now".
            IDatabase database = multiplexer.GetDatabase(_options.Database);
            Task<RedisValue> counter = database.StringGetAsync(_counterKey);
            Task<RedisValue> epoch = database.StringGetAsync(_epochKey);
            Initialize(ParseId(await counter.ConfigureAwait(false)), ParseId(await epoch.ConfigureAwait(false)));
        }

        _ready.TrySetResult();
    }

    /// <summary>Completes once the node is subscribed and has its starting id (for tests).</summary>
    internal Task WhenReady => _ready.Task;

    private static ulong ParseId(RedisValue value) =>
        value.HasValue && ulong.TryParse((string?)value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong id) ? id : 0;

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        Log.ConnectionLost(_logger, e.ConnectionType.ToString(), e.FailureType.ToString(), e.Exception?.Message);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Log.ConnectionRestored(_logger, e.ConnectionType.ToString());
        lock (_intakeLock)
        {
            _catchUpRequested = true;
        }

        SignalIntake();
    }

    private void OnPubSubMessage(ChannelMessage channelMessage)
    {
        byte[]? data = (byte[]?)channelMessage.Message;
        if (data is null || !Envelope.TrySplit(data, out ulong id, out ulong epoch, out ReadOnlySpan<byte> frame))
        {
            Log.BadEnvelope(_logger);
            return;
        }

        if (Volatile.Read(ref _initialized) && id <= AppliedId && epoch == Volatile.Read(ref _epoch))
        {
            // Already applied (typically our own message): skip decoding.
            return;
        }

        if (!MessageFrame.TryDecode(frame, InternTopic, out Message? message))
        {
            Log.BadFrame(_logger, id);
            message = null;
        }

        Offer(id, epoch, message, Source.PubSub);
    }

    /// <summary>Returns the name of a known topic without allocating, or a new string.</summary>
    private string InternTopic(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= 256)
        {
            Span<char> chars = stackalloc char[256];
            int length = Encoding.UTF8.GetChars(utf8, chars);
            if (_topicsBySpan.TryGetValue(chars[..length], out LocalTopic? topic))
            {
                return topic.Name;
            }

            return new string(chars[..length]);
        }

        return Encoding.UTF8.GetString(utf8);
    }

    private void Initialize(ulong counter, ulong epoch)
    {
        var effects = new Effects();
        lock (_intakeLock)
        {
            if (_initialized)
            {
                return;
            }

            _applied = counter;
            Volatile.Write(ref _epoch, epoch);
            Volatile.Write(ref _initialized, true);
            Drain(ref effects);
        }

        effects.Run(this);
    }

    /// <summary>Takes a message (or, when <paramref name="message"/> is null, an undecodable id) into the intake.</summary>
    private void Offer(ulong id, ulong epoch, Message? message, Source source)
    {
        var effects = new Effects();
        lock (_intakeLock)
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
            }
            else
            {
                if (epoch > _epoch)
                {
                    StartEpoch(epoch, ref effects);
                }

                if (source == Source.PubSub && id > _highestFromPubSub)
                {
                    _highestFromPubSub = id;
                }

                if (id > _applied && !_pending.ContainsKey(id))
                {
                    _pending.Add(id, new PendingMessage(message));
                }

                Drain(ref effects);
            }
        }

        effects.Run(this);
    }

    /// <summary>Redis started a new epoch (it lost its data): apply what is left of the old one, report what may be lost.</summary>
    private void StartEpoch(ulong epoch, ref Effects effects)
    {
        ulong previous = _epoch;
        Volatile.Write(ref _epoch, epoch);
        if (previous == 0)
        {
            // The first epoch this node sees (Redis was new): ids up to the base were never used.
            _applied = Math.Max(_applied, epoch);
            return;
        }

        Log.EpochChanged(_logger, previous, epoch);

        // Old-epoch messages still pending are delivered; the holes before them, and whatever the node had not received
        // when Redis lost its data, are reported.
        while (_pending.Count > 0 && _pending.Keys[0] <= epoch)
        {
            ulong next = _pending.Keys[0];
            if (next > _applied + 1)
            {
                effects.AddGap(_applied + 1, next - 1, RedisGapReason.RedisDataLost);
                _applied = next - 1;
            }

            ApplyFirst(ref effects);
        }

        if (_applied < epoch)
        {
            effects.AddGap(_applied + 1, epoch, RedisGapReason.RedisDataLost);
            _applied = epoch;
        }
    }

    /// <summary>Applies pending messages that are next in order; notes a hole for the fill loop.</summary>
    private void Drain(ref Effects effects)
    {
        while (_pending.Count > 0)
        {
            ulong next = _pending.Keys[0];
            if (next <= _applied)
            {
                _pending.RemoveAt(0);
            }
            else if (next == _applied + 1)
            {
                ApplyFirst(ref effects);
            }
            else
            {
                break;
            }
        }

        // Only now may readers read up to _applied: every message up to it is in its topic.
        Volatile.Write(ref _visible, _applied);
        while (_waiters.TryPeek(out TaskCompletionSource? waiter, out ulong waitedId) && waitedId <= _applied)
        {
            _waiters.Dequeue();
            (effects.Waiters ??= []).Add(waiter);
        }

        if (_pending.Count > 0)
        {
            if (_holeSince == 0)
            {
                _holeSince = _time.GetTimestamp();
                effects.SignalIntake = true;
            }
            else if (_pending.Keys[0] <= _highestFromPubSub)
            {
                effects.SignalIntake = true;
            }
        }
        else
        {
            _holeSince = 0;
        }
    }

    /// <summary>Applies the first pending message, which is the next id.</summary>
    private void ApplyFirst(ref Effects effects)
    {
        ulong id = _pending.Keys[0];
        Message? message = _pending.Values[0].Message;
        _pending.RemoveAt(0);
        _applied = id;
        if (message is null)
        {
            return;
        }

        while (true)
        {
            LocalTopic topic = GetOrCreateTopic(message.Topic);
            if (topic.TryAppend(id, message, out RedisSubscription[] subscribers))
            {
                if (subscribers.Length > 0)
                {
                    effects.Notify ??= [];
                    foreach (RedisSubscription subscriber in subscribers)
                    {
                        effects.Notify.Add(subscriber);
                    }
                }

                return;
            }

            ForgetRemovedTopic(topic);
        }
    }

    /// <summary>Reports the ids in (applied, <paramref name="upTo"/>] that are not pending as a gap, and applies past them.</summary>
    private void SkipMissing(ulong upTo, RedisGapReason reason, ref Effects effects)
    {
        while (_applied < upTo)
        {
            ulong next = _pending.Count > 0 ? _pending.Keys[0] : ulong.MaxValue;
            if (next == _applied + 1)
            {
                ApplyFirst(ref effects);
                continue;
            }

            ulong end = Math.Min(upTo, next - 1);
            effects.AddGap(_applied + 1, end, reason);
            _applied = end;
        }

        Drain(ref effects);
    }

    private async Task WaitAppliedAsync(ulong id, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_intakeLock)
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
            await waiter.Task.WaitAsync(LocalApplyTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Published (it has its id in Redis); this node applies it once the ids before it are in. Not an error.
            Log.SlowLocalApply(_logger, id);
        }
    }

    private void SignalIntake()
    {
        try
        {
            if (_fillSignal.CurrentCount == 0)
            {
                _fillSignal.Release();
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

    private void RaiseGap(RedisGapEventArgs gap)
    {
        Log.Gap(_logger, gap.FirstId, gap.LastId, gap.Reason.ToString());
        if (GapDetected is { } handlers)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    handlers(this, gap);
                }
#pragma warning disable CA1031 // A failing handler must not stop the node's intake.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.GapHandlerFailed(_logger, ex);
                }
            });
        }
    }

    /// <summary>
    /// The intake's background work: fills holes from the replay stream, catches up after reconnects, checks the counter
    /// while idle, and (re)subscribes when the first attempt failed.
    /// </summary>
    private async Task RunIntakeAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                bool signalled = await _fillSignal.WaitAsync(IdleCheckInterval, cancellationToken).ConfigureAwait(false);
                ConnectionMultiplexer multiplexer = await _connection.GetAsync().ConfigureAwait(false);
                if (!multiplexer.IsConnected)
                {
                    // StackExchange.Redis reconnects by itself; ConnectionRestored (or the next idle check) resumes here.
                    continue;
                }

                if (_queue is null || !Volatile.Read(ref _initialized))
                {
                    await SubscribeAndInitializeAsync().ConfigureAwait(false);
                }

                if (!signalled)
                {
                    await CheckCounterAsync().ConfigureAwait(false);
                }

                await FillAsync(cancellationToken).ConfigureAwait(false);
                if (_intakeFailing)
                {
                    _intakeFailing = false;
                    Log.IntakeRecovered(_logger);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Once per outage as a warning; the retries of the same outage only at debug level.
                if (!_intakeFailing)
                {
                    _intakeFailing = true;
                    Log.IntakeFailed(_logger, ex.Message);
                }
                else
                {
                    Log.IntakeStillFailing(_logger, ex.Message);
                }

                try
                {
                    await Task.Delay(RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                SignalIntake();
            }
#pragma warning disable CA1031 // The intake must survive anything; a bug is logged, not allowed to stop delivery.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.IntakeCrashed(_logger, ex);
                SignalIntake();
            }
        }
    }

    /// <summary>While idle: when Redis's counter is past what this node applied, catch up.</summary>
    private async Task CheckCounterAsync()
    {
        ConnectionMultiplexer multiplexer = await _connection.GetAsync().ConfigureAwait(false);
        if (!multiplexer.IsConnected)
        {
            return;
        }

        IDatabase database = multiplexer.GetDatabase(_options.Database);
        ulong counter = ParseId(await database.StringGetAsync(_counterKey).ConfigureAwait(false));
        lock (_intakeLock)
        {
            if (counter > _applied && !_pending.ContainsKey(counter))
            {
                _catchUpRequested = true;
            }
        }
    }

    /// <summary>Reads from the replay stream until there is no hole and no catch-up left.</summary>
    private async Task FillAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ulong from;
            ulong to;
            bool catchUp;
            TimeSpan wait = TimeSpan.Zero;
            lock (_intakeLock)
            {
                if (!_initialized)
                {
                    return;
                }

                from = _applied + 1;
                if (_catchUpRequested)
                {
                    catchUp = true;
                    to = ulong.MaxValue;
                }
                else if (_pending.Count > 0)
                {
                    catchUp = false;
                    to = _pending.Keys[0] - 1;

                    // Pub/sub delivers in publication order: once it has passed the hole it will not fill it, so read
                    // at once. Otherwise the hole is usually our own reply overtaking pub/sub: give pub/sub a moment.
                    TimeSpan waited = _time.GetElapsedTime(_holeSince);
                    if (to >= _highestFromPubSub && waited < _options.GapFillDelay)
                    {
                        wait = _options.GapFillDelay - waited;
                    }
                }
                else
                {
                    return;
                }
            }

            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await FetchAsync(from, to, catchUp).ConfigureAwait(false);
        }
    }

    /// <summary>Reads ids from <paramref name="from"/> to <paramref name="to"/> from the replay stream and reports what it lacks.</summary>
    private async Task FetchAsync(ulong from, ulong to, bool catchUp)
    {
        ConnectionMultiplexer multiplexer = await _connection.GetAsync().ConfigureAwait(false);
        IDatabase database = multiplexer.GetDatabase(_options.Database);
        ulong next = from;
        ulong newest = 0;
        while (true)
        {
            RedisValue maxId = to == ulong.MaxValue ? "+" : to.ToString(CultureInfo.InvariantCulture) + "-0";
            StreamEntry[] entries = await database.StreamRangeAsync(_streamKey, next.ToString(CultureInfo.InvariantCulture) + "-0", maxId, FetchPageSize).ConfigureAwait(false);
            ulong last = 0;
            foreach (StreamEntry entry in entries)
            {
                byte[]? data = (byte[]?)entry["m"];
                if (data is null || !Envelope.TrySplit(data, out ulong id, out ulong epoch, out ReadOnlySpan<byte> frame))
                {
                    Log.BadEnvelope(_logger);
                    continue;
                }

                last = Math.Max(last, id);
                newest = Math.Max(newest, id);
                if (!MessageFrame.TryDecode(frame, InternTopic, out Message? message))
                {
                    Log.BadFrame(_logger, id);
                    message = null;
                }

                Offer(id, epoch, message, Source.Replay);
            }

            if (entries.Length < FetchPageSize || last == 0 || last >= to)
            {
                break;
            }

            next = last + 1;
        }

        Log.Filled(_logger, from, to == ulong.MaxValue ? 0 : to);
        var effects = new Effects();
        lock (_intakeLock)
        {
            // The stream holds every id up to its newest, except those trimmed away at its front: what is still missing
            // up to the first id we hold is gone. Ids are handed out only with their message (the script), so a
            // missing id below one we have is never "not yet written".
            // For a catch-up, only up to the newest id the read returned: later ids may have been published since.
            ulong upTo = catchUp ? (_pending.Count > 0 ? Math.Min(_pending.Keys[0] - 1, newest) : 0) : to;
            if (upTo > _applied)
            {
                SkipMissing(upTo, RedisGapReason.NotInReplay, ref effects);
            }

            if (catchUp)
            {
                _catchUpRequested = false;
            }
        }

        effects.Run(this);
    }

    private enum Source
    {
        Publisher,
        PubSub,
        Replay,
    }

    private readonly record struct PendingMessage(Message? Message);

    /// <summary>What the intake does once its lock is released: notify subscribers, wake publishers, report gaps.</summary>
    private struct Effects
    {
        public HashSet<RedisSubscription>? Notify;
        public List<TaskCompletionSource>? Waiters;
        public List<RedisGapEventArgs>? Gaps;
        public bool SignalIntake;

        public void AddGap(ulong first, ulong last, RedisGapReason reason) => (Gaps ??= []).Add(new RedisGapEventArgs(first, last, reason));

        public readonly void Run(RedisMessageBus bus)
        {
            if (Notify is not null)
            {
                foreach (RedisSubscription subscription in Notify)
                {
                    subscription.Notify();
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
                    bus.RaiseGap(gap);
                }
            }

            if (SignalIntake)
            {
                bus.SignalIntake();
            }
        }
    }
}
