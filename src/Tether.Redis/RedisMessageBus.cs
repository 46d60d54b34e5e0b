using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tether.Redis.Internal;
using Tether.Server;
using Tether.Server.Diagnostics;
using Tether.Server.Messaging;

namespace Tether.Redis;

/// <summary>
/// The Redis backplane: an <see cref="IMessageBus"/> that makes several Tether server nodes act as one. Every message
/// gets a global id from Redis atomically with its publication; every node receives every message, keeps the latest ones
/// per topic in its own buffers keyed by those ids, and hands out cursors that resume on any node.
/// </summary>
/// <remarks>
/// <para><b>Ids.</b> One Lua script gives a batch of messages consecutive ids from a counter, appends each to a replay
/// stream under its id, trims the stream to <see cref="RedisBackplaneOptions.ReplayLength"/> messages and
/// <see cref="RedisBackplaneOptions.ReplayMaxBytes"/> bytes, and publishes the batch on one channel. A node has one
/// script call in flight at a time; publications made meanwhile form the next batch, in the order they were made. Ids
/// are therefore the order of publication on Redis: messages from one sender (one awaited <see cref="PublishAsync"/>
/// after another, or several started without awaiting) keep their order on every node.</para>
/// <para><b>Buffers.</b> Topics, their byte bounds and the node's byte budget are the in-process bus's
/// (<see cref="PersistentConnectionOptions.MaxTopicBufferBytes"/>, <see cref="PersistentConnectionOptions.MaxBufferedBytes"/>).</para>
/// <para><b>Intake.</b> A node applies messages to its topics strictly in id order (see <c>RedisIntake</c>); messages
/// that arrive ahead of a missing id wait in a set bounded by <see cref="RedisBackplaneOptions.MaxPendingMessages"/> and
/// <see cref="RedisBackplaneOptions.MaxPendingBytes"/>. A missing id is first awaited from
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
public sealed class RedisMessageBus : IMessageBus, IHostedService, IAsyncDisposable, IDisposable, IBufferedBytesSource, ITopicNameLookup
{
    /// <summary>How long a publisher waits for its message to be applied locally before it returns anyway.</summary>
    private static readonly TimeSpan LocalApplyTimeout = TimeSpan.FromSeconds(5);

    private readonly RedisConnection _connection;
    private readonly RedisBackplaneOptions _options;
    private readonly ILogger _logger;
    private readonly TopicSettings _settings;
    private readonly TopicTable _topics;
    private readonly RedisKeys _keys;
    private readonly PublishBatcher _publisher;
    private readonly RedisIntake _intake;
    private readonly ReplayFiller _filler;
    private readonly TetherServerMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChannelMessageQueue? _queue;
    private IConnectionMultiplexer? _multiplexer;
    private Task? _fillLoop;
    private int _started;
    private int _disposed;

    internal RedisMessageBus(RedisConnection connection, IOptions<PersistentConnectionOptions> connectionOptions, TimeProvider time, ILogger<RedisMessageBus> logger, TetherServerMetrics metrics)
    {
        _metrics = metrics;
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(connectionOptions);
        _connection = connection;
        _options = connection.Options;
        _logger = logger;
        PersistentConnectionOptions settings = connectionOptions.Value;
        _settings = TopicSettings.From(settings, denseIds: false, appendKeepsAlive: false, time);
        _topics = new TopicTable(settings, name => new BufferedTopic(name, ScaleoutCursor.TopicKey(name), _settings), time);
        _keys = new RedisKeys(_options.Prefix);
        ClusterTag = ScaleoutCursor.ClusterTag(_options.Prefix);
        var pending = new PendingWindow(Math.Max(2, _options.MaxPendingMessages), Math.Max(1, _options.MaxPendingBytes));
        _intake = new RedisIntake(_topics, _settings.Budget, createTopics: false, pending, _options.GapFillDelay, time, logger, RaiseGap, () => _filler!.Signal());
        _filler = new ReplayFiller(connection, _keys, _intake, EnsureSubscribedAsync, InternTopic, _settings, logger);
        _publisher = new PublishBatcher(connection, _keys, _intake);
    }

    /// <summary>
    /// Raised when this node can never deliver some messages: they were missed and are no longer in Redis. Also logged as
    /// a warning. Handlers run on a thread-pool thread and must not block.
    /// </summary>
    public event EventHandler<RedisGapEventArgs>? GapDetected;

    /// <summary>The global id of the latest message this node has applied (0 before the first).</summary>
    public ulong AppliedId => _intake.AppliedId;

    /// <summary>Whether the node is subscribed to Redis and has its starting id.</summary>
    public bool IsConnected => _multiplexer?.IsConnected == true && _intake.IsInitialized;

    /// <summary>The intake's state, for diagnostics in tests.</summary>
    internal string DebugState => _intake.DebugState + $" loop {_fillLoop?.Status}";

    /// <summary>This cluster's tag in cursors.</summary>
    internal uint ClusterTag { get; }

    /// <summary>How many topics the node holds.</summary>
    internal int TopicCount => _topics.Count;

    /// <summary>The node's topics (for tests).</summary>
    internal TopicTable Topics => _topics;

    /// <summary>The payload bytes the node's topics keep (for tests and metrics).</summary>
    internal long BufferedBytes => _settings.Budget.BufferedBytes;

    /// <summary>Messages not buffered because no topic of this node wanted them (for tests and metrics).</summary>
    internal long UnbufferedMessages => _settings.Budget.UnbufferedMessages;

    /// <summary>Messages dropped to keep the node within its byte budget (for tests and metrics).</summary>
    internal long EvictedMessages => _settings.Budget.EvictedMessages;

    long IBufferedBytesSource.BufferedBytes => BufferedBytes;

    long IBufferedBytesSource.EvictedMessages => EvictedMessages;

    /// <summary>The intake (for tests).</summary>
    internal RedisIntake Intake => _intake;

    /// <summary>Completes once the node is subscribed and has its starting id (for tests).</summary>
    internal Task WhenReady => _ready.Task;

    /// <inheritdoc/>
    /// <remarks>
    /// Completes when Redis has given the message its id and this node has applied it, so this node's subscribers can
    /// read it (other nodes apply it as it reaches them). Throws <see cref="RedisBackplaneException"/> at once when Redis
    /// is unreachable or refuses the command: the message was not sent. Publications made while this node's previous
    /// script call is in flight wait for it and go out together; cancelling one while it waits withdraws it (it is never
    /// sent), after that it is published even if the caller stopped waiting.
    /// </remarks>
    public async ValueTask PublishAsync(Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        byte[] frame = MessageFrame.Encode(message);
        long started = Stopwatch.GetTimestamp();
        PublishOutcome outcome = await _publisher.PublishAsync(message, frame, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (outcome.Failure is { } failure)
        {
            if (failure is OperationCanceledException)
            {
                // Withdrawn before it was sent: the caller cancelled.
                cancellationToken.ThrowIfCancellationRequested();
            }

            RedisLog.PublishFailed(_logger, message.Topic, failure.Message);
            _metrics.Published(started, succeeded: false);
            throw failure as RedisBackplaneException ?? new RedisBackplaneException(
                $"Could not publish to Redis ({failure.GetType().Name}: {failure.Message}). Tether.Redis fails fast while Redis is unreachable: the message was not sent{(failure is TimeoutException ? " (after a timeout it may have been)" : string.Empty)}.",
                failure);
        }

        // The batcher put the message in the intake; it is applied unless ids before it are still missing here.
        await _intake.WaitAppliedAsync(outcome.Id, LocalApplyTimeout, cancellationToken).ConfigureAwait(false);
        _metrics.Published(started, succeeded: true);
    }

    /// <inheritdoc/>
    public void Release(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        _topics.Release(topic);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The node's last applied id plus one. Redis gives every message this node has not applied yet, and every later
    /// one, a larger id, so a subscription started there misses nothing published afterwards, on any node. The topic is
    /// created (or kept) here, so this node buffers it from now on: a node buffers only the topics its own connections
    /// use (subscribe, add, or take a position in).
    /// </remarks>
    public ulong GetNextId(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);

        // One lookup per attempt: a topic found removed is forgotten exactly, never a live one found by a second lookup.
        BufferedTopic current = _topics.Use(topic, static (current, _) => current.TryTouch(), 0);
        ulong applied = _intake.LastApplied;
        current.EnsureCompleteAfter(applied);
        return applied + 1;
    }

    /// <inheritdoc/>
    /// <remarks>Cursors of this cluster resume on any node; others (the in-process bus's, another cluster's) start at "now".</remarks>
    public IMessageSubscription Subscribe(IEnumerable<string> topics, string? cursor, Action onMessagesAvailable)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(onMessagesAvailable);
        var subscription = new RedisSubscription(this, _topics, onMessagesAvailable, topics.TryGetNonEnumeratedCount(out int count) ? count : 4);
        subscription.Start(topics, cursor);
        return subscription;
    }

    /// <inheritdoc/>
    string? ITopicNameLookup.FindTopicName(ReadOnlySpan<char> name) => _topics.FindName(name);

    /// <summary>Connects, subscribes and reads the current id, then keeps the intake going until stopped.</summary>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>A task that completes when the node is subscribed, or when a first attempt failed (it keeps trying).</returns>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        IConnectionMultiplexer multiplexer = await _connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _multiplexer = multiplexer;
        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        _fillLoop = Task.Run(() => _filler.RunAsync(_stopping.Token), CancellationToken.None);
        try
        {
            await EnsureSubscribedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The intake loop keeps trying; publications fail fast until Redis is reachable.
            RedisLog.StartFailed(_logger, ex.Message);
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

        _topics.Dispose();
        _filler.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Stops the intake and the topic sweep.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The last applied id, including messages readers cannot read yet (see <see cref="RedisIntake.LastApplied"/>).</summary>
    internal ulong LastApplied => _intake.LastApplied;

    /// <summary>Readies a topic a subscription starts reading at <paramref name="position"/>: fills it from the replay stream when it lacks older messages.</summary>
    /// <param name="topic">The topic, in the table.</param>
    /// <param name="position">The last id the subscription has read of it.</param>
    internal void PrepareTopic(BufferedTopic topic, ulong position)
    {
        if (topic.CompleteAfter == ulong.MaxValue)
        {
            topic.EnsureCompleteAfter(_intake.LastApplied);
        }

        if (position < topic.CompleteAfter)
        {
            _filler.RequestTopicFill(topic, position);
        }
    }

    /// <summary>Removes every topic unused for the topic time to live (for tests; also runs on a timer).</summary>
    internal void SweepTopics() => _topics.Sweep();

    /// <summary>Subscribes to the channel and reads the starting id, unless done already.</summary>
    private async Task EnsureSubscribedAsync()
    {
        if (_queue is not null && _intake.IsInitialized)
        {
            return;
        }

        IConnectionMultiplexer multiplexer = await _connection.GetAsync().ConfigureAwait(false);
        if (_queue is null)
        {
            ChannelMessageQueue queue = await multiplexer.GetSubscriber().SubscribeAsync(_keys.Channel).ConfigureAwait(false);
            queue.OnMessage(OnPubSubMessage);
            _queue = queue;
        }

        if (!_intake.IsInitialized)
        {
            // Subscribed first: anything published from here on arrives, and what is at or below the counter is "before now".
            IDatabase database = multiplexer.GetDatabase(_options.Database);
            Task<RedisValue> counter = database.StringGetAsync(_keys.Counter);
            Task<RedisValue> epoch = database.StringGetAsync(_keys.Epoch);
            _intake.Initialize(ReplayFiller.ParseId(await counter.ConfigureAwait(false)), ReplayFiller.ParseId(await epoch.ConfigureAwait(false)));
        }

        _ready.TrySetResult();
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        RedisLog.ConnectionLost(_logger, e.ConnectionType.ToString(), e.FailureType.ToString(), e.Exception?.Message);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        RedisLog.ConnectionRestored(_logger, e.ConnectionType.ToString());
        _intake.RequestCatchUp();
        _filler.Signal();
    }

    private void OnPubSubMessage(ChannelMessage channelMessage)
    {
        byte[]? data = (byte[]?)channelMessage.Message;
        if (!Envelope.IsBatch(data, out ReadOnlySpan<byte> entries))
        {
            if (TryDecodeNew(data, out IntakeItem item))
            {
                _intake.Offer(item.Id, item.Epoch, item.Message, IntakeSource.PubSub);
            }

            return;
        }

        // A batch goes to the intake at once, so subscribers are notified once for all of it.
        List<IntakeItem>? items = null;
        while (!entries.IsEmpty)
        {
            if (!Envelope.TryTakeEntry(ref entries, out ReadOnlySpan<byte> envelope))
            {
                // What is left is unreadable: those ids are missing, and are read back from the stream.
                RedisLog.BadEnvelope(_logger);
                break;
            }

            if (TryDecodeNew(envelope, out IntakeItem item))
            {
                (items ??= []).Add(item);
            }
        }

        if (items is not null)
        {
            _intake.Offer(CollectionsMarshal.AsSpan(items), IntakeSource.PubSub);
        }
    }

    /// <summary>Decodes a published envelope, unless this node has applied its id already (typically its own message).</summary>
    private bool TryDecodeNew(ReadOnlySpan<byte> envelope, out IntakeItem item)
    {
        item = default;
        if (Envelope.TrySplit(envelope, out ulong id, out ulong epoch, out _)
            && _intake.IsInitialized && id <= AppliedId && epoch == _intake.Epoch)
        {
            return false;
        }

        if (!_filler.Decode(envelope, out id, out epoch, out Message? message))
        {
            return false;
        }

        item = new IntakeItem(id, epoch, message);
        return true;
    }

    /// <summary>Returns the name of a known topic without allocating, or a new string.</summary>
    private string InternTopic(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= 256)
        {
            Span<char> chars = stackalloc char[256];
            int length = Encoding.UTF8.GetChars(utf8, chars);
            if (_topics.BySpan.TryGetValue(chars[..length], out BufferedTopic? topic))
            {
                return topic.Name;
            }

            return new string(chars[..length]);
        }

        return Encoding.UTF8.GetString(utf8);
    }

    private void RaiseGap(RedisGapEventArgs gap)
    {
        RedisLog.Gap(_logger, gap.FirstId, gap.LastId, gap.Reason.ToString());
        _metrics.Gap(gap.Reason.ToString());
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
                    RedisLog.GapHandlerFailed(_logger, ex);
                }
            });
        }
    }
}
