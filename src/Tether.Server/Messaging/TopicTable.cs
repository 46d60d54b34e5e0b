using System.Collections.Concurrent;

namespace Tether.Server.Messaging;

/// <summary>
/// The topics of one bus by name, created on demand, with a sweep on the clock's timer that removes those unused for
/// the topic time to live (<see cref="PersistentConnectionOptions.TopicTtl"/>).
/// </summary>
/// <remarks>
/// A topic found removed (it expired between the lookup and its use) is dropped from the table by the caller, which
/// then uses a fresh one: <see cref="Use{TState}"/> does that loop.
/// </remarks>
internal sealed class TopicTable : IDisposable
{
    private static readonly TimeSpan MinSweepPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxSweepPeriod = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, BufferedTopic> _topics = new(StringComparer.Ordinal);
    private readonly Func<string, BufferedTopic> _create;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly ITimer? _sweepTimer;
    private int _sweeping;

    /// <summary>Creates a table and starts its sweep.</summary>
    /// <param name="options">The options: the topic time to live is read once.</param>
    /// <param name="create">Creates a topic for a name.</param>
    /// <param name="time">The clock of expiry and of the sweep timer.</param>
    public TopicTable(PersistentConnectionOptions options, Func<string, BufferedTopic> create, TimeProvider time)
    {
        _create = create;
        _time = time;
        _ttl = GetTopicTtl(options);
        BySpan = _topics.GetAlternateLookup<ReadOnlySpan<char>>();
        if (_ttl == TimeSpan.MaxValue)
        {
            return;
        }

        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(_ttl.Ticks / 4, MinSweepPeriod.Ticks, MaxSweepPeriod.Ticks));

        // The timer must not capture the ambient context (e.g. the request that first resolved the singleton).
        bool restoreFlow = !ExecutionContext.IsFlowSuppressed();
        if (restoreFlow)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            _sweepTimer = time.CreateTimer(static state => ((TopicTable)state!).Sweep(), this, period, period);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    /// <summary>How many topics exist now.</summary>
    public int Count => _topics.Count;

    /// <summary>Looks topics up by a span of their name, without allocating.</summary>
    public ConcurrentDictionary<string, BufferedTopic>.AlternateLookup<ReadOnlySpan<char>> BySpan { get; }

    /// <summary>The topic with this name, created if needed. It may expire at any time until a subscriber holds it.</summary>
    /// <param name="name">The topic name.</param>
    /// <returns>The topic.</returns>
    public BufferedTopic GetOrCreate(string name) => _topics.GetOrAdd(name, _create);

    /// <summary>The table's string for the topic spelled <paramref name="name"/>, if it exists.</summary>
    /// <param name="name">The topic name's characters.</param>
    /// <returns>The name, or <see langword="null"/>.</returns>
    public string? FindName(ReadOnlySpan<char> name) => BySpan.TryGetValue(name, out string? actual, out _) ? actual : null;

    /// <summary>The topic with this name, if it exists.</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="topic">The topic.</param>
    /// <returns>Whether it exists.</returns>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BufferedTopic? topic) => _topics.TryGetValue(name, out topic);

    /// <summary>Drops a topic that was found removed (if the sweep has not done so yet), so a retry creates a new one.</summary>
    /// <param name="topic">The removed topic.</param>
    public void Forget(BufferedTopic topic) => _topics.TryRemove(KeyValuePair.Create(topic.Name, topic));

    /// <summary>Applies <paramref name="action"/> to the live topic of this name, created if needed, retrying on a fresh topic when it was removed.</summary>
    /// <typeparam name="TState">The action's state.</typeparam>
    /// <param name="name">The topic name.</param>
    /// <param name="action">Returns <see langword="false"/> when it found the topic removed.</param>
    /// <param name="state">The state.</param>
    /// <returns>The topic the action succeeded on.</returns>
    public BufferedTopic Use<TState>(string name, Func<BufferedTopic, TState, bool> action, TState state)
    {
        while (true)
        {
            BufferedTopic topic = GetOrCreate(name);
            if (action(topic, state))
            {
                return topic;
            }

            Forget(topic);
        }
    }

    /// <summary>Removes a topic at once when it has no subscriber (see <see cref="IMessageBus.Release"/>).</summary>
    /// <param name="name">The topic name.</param>
    public void Release(string name)
    {
        if (_topics.TryGetValue(name, out var topic) && topic.TryExpire(_time.GetTimestamp(), TimeSpan.Zero))
        {
            Forget(topic);
        }
    }

    /// <summary>Removes every topic that has had no subscriber (and no other use) for the time to live. Runs on the timer.</summary>
    public void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            long now = _time.GetTimestamp();
            foreach (KeyValuePair<string, BufferedTopic> pair in _topics)
            {
                if (pair.Value.TryExpire(now, _ttl))
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

    /// <summary>Stops the sweep. Topics keep working, but unused ones are no longer removed.</summary>
    public void Dispose() => _sweepTimer?.Dispose();

    private static TimeSpan GetTopicTtl(PersistentConnectionOptions options)
    {
        try
        {
            TimeSpan ttl = options.TopicTtl;
            return ttl > TimeSpan.Zero ? ttl : TimeSpan.Zero;
        }
        catch (OverflowException)
        {
            // Absurdly long timeouts: topics never expire.
            return TimeSpan.MaxValue;
        }
    }
}
