using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Tether.Redis.Internal;
using Xunit.Abstractions;

namespace Tether.Redis.Tests;

/// <summary>
/// Redis restarts or becomes unreachable mid-stream. Documented behaviour (see <see cref="RedisMessageBus"/>):
/// publications fail fast with <see cref="RedisBackplaneException"/> (no queue); nodes reconnect by themselves and read
/// what they missed from the replay stream; after a restart that lost Redis's data, nodes report
/// <see cref="RedisGapReason.RedisDataLost"/>; nothing published after recovery is lost.
/// </summary>
public sealed class RedisFaultTests(ITestOutputHelper output)
{
    /// <summary>Reconnect quickly in tests (the default backs off exponentially up to seconds).</summary>
    private static void FastReconnect(RedisBackplaneOptions options) =>
        options.ConfigureRedis = o => o.ReconnectRetryPolicy = new LinearRetry(100);

    [Fact]
    public async Task RedisKilledAndRestartedMidStream()
    {
        await using var redis = await RedisServerFixture.StartAsync();
        await using var cluster = await Cluster.StartAsync(redis, 2, configureRedis: FastReconnect);
        var gaps = new GapLog(cluster.Bus(0), cluster.Bus(1));
        await using var client = await OfficialClient.StartAsync(cluster[0].Url("/broadcast"), Transports.WebSockets, output);
        var fromB = cluster.Context<Tether.Tests.Utils.BroadcastConnection>(1).Connection;
        var publisherRedis = await cluster[1].Services.GetRequiredService<RedisConnection>().GetAsync();

        // Node B publishes one message after another; a failed publication waits for Redis to be back, then goes on.
        var publisher = new Publisher(i => fromB.Broadcast($"m{i}"), publisherRedis);
        var run = publisher.RunAsync();
        await client.WaitForMessages(20).DefaultTimeout();

        await redis.KillAsync();
        var firstFailure = await publisher.FirstFailure.DefaultTimeout();
        output.WriteLine($"[measure] a publication with Redis killed failed after {firstFailure.Elapsed.TotalMilliseconds:F0} ms: {firstFailure.Exception.Message}");
        Assert.IsType<RedisBackplaneException>(firstFailure.Exception);
        Assert.True(firstFailure.Elapsed < TimeSpan.FromSeconds(2), $"Not fail-fast: {firstFailure.Elapsed}.");

        var restartedAt = Stopwatch.StartNew();
        await redis.RestartAsync();
        int recoveredFrom = await publisher.Recovered.DefaultTimeout();
        output.WriteLine($"[measure] publications succeed again {restartedAt.ElapsedMilliseconds} ms after the restart, from m{recoveredFrom}");

        await publisher.WaitForSuccesses(recoveredFrom + 30).DefaultTimeout();
        publisher.Stop();
        await run.DefaultTimeout();

        var sent = publisher.Succeeded;
        var afterRecovery = sent.Where(i => i >= recoveredFrom).Select(i => $"m{i}").ToArray();
        await client.WaitForMessage(afterRecovery[^1]).DefaultTimeout();
        var received = client.Messages;

        // Nothing repeated, nothing out of order, nothing that was not published; nothing lost after recovery.
        Assert.Equal(received.Distinct().Count(), received.Count);
        Assert.Subset(sent.Select(i => $"m{i}").ToHashSet(), received.ToHashSet());
        Assert.Equal(received.OrderBy(m => int.Parse(m[1..], System.Globalization.CultureInfo.InvariantCulture)), received);
        Assert.Equal(afterRecovery, received.Where(m => int.Parse(m[1..], System.Globalization.CultureInfo.InvariantCulture) >= recoveredFrom));

        // Messages published before the kill may be lost (Redis took them with it before node A got them): reported.
        int lostBefore = sent.Count(i => i < recoveredFrom) - received.Count(m => int.Parse(m[1..], System.Globalization.CultureInfo.InvariantCulture) < recoveredFrom);
        output.WriteLine($"[measure] published before the kill: {sent.Count(i => i < recoveredFrom)}, not received: {lostBefore}; failed during the outage: {publisher.FailureCount}");
        await gaps.WaitFor(RedisGapReason.RedisDataLost, nodes: 2).DefaultTimeout();
    }

    [Fact]
    public async Task NodeCutOffFromRedisCatchesUpFromTheReplayWithNothingLost()
    {
        await using var redis = await RedisServerFixture.StartAsync();
        await using var link = FaultProxy.Start(redis.EndPoint);

        // Node A reaches Redis through a link that the test cuts; node B reaches it directly.
        await using var cluster = await Cluster.StartAsync(redis, 1, configureRedis: o =>
        {
            FastReconnect(o);
            o.Configuration = $"127.0.0.1:{link.EndPoint.Port}";
        });
        await cluster.AddNodeAsync(redis, configureRedis: FastReconnect);
        var gaps = new GapLog(cluster.Bus(0));
        await using var client = await OfficialClient.StartAsync(cluster[0].Url("/broadcast"), Transports.ServerSentEvents, output);
        var fromB = cluster.Context<Tether.Tests.Utils.BroadcastConnection>(1).Connection;
        var nodeA = await cluster[0].Services.GetRequiredService<RedisConnection>().GetAsync();

        for (int i = 0; i < 10; i++)
        {
            await fromB.Broadcast($"m{i}");
        }

        await client.WaitForMessages(10).DefaultTimeout();

        // Cut node A off: its publications fail fast, node B's go on, and node A hears none of them.
        var lost = Restored(nodeA);
        link.RefuseNew = true;
        link.CutAll();
        var failure = await Assert.ThrowsAsync<RedisBackplaneException>(() => cluster.Context<Tether.Tests.Utils.BroadcastConnection>(0).Connection.Broadcast("from A, cut off")).DefaultTimeout();
        output.WriteLine($"[measure] cut off: {failure.Message}");
        for (int i = 10; i < 60; i++)
        {
            await fromB.Broadcast($"m{i}");
        }

        // Back: node A reconnects by itself and reads the 50 messages it missed from the replay stream.
        link.RefuseNew = false;
        await lost.DefaultTimeout();
        await client.WaitForMessages(60).DefaultTimeout();
        await fromB.Broadcast("m60");
        await cluster.Context<Tether.Tests.Utils.BroadcastConnection>(0).Connection.Broadcast("m61");
        await client.WaitForMessages(62).DefaultTimeout();
        Assert.Equal(Enumerable.Range(0, 62).Select(i => $"m{i}"), client.Messages);
        Assert.Empty(gaps.All);
    }

    [Fact]
    public async Task NodesStartWhileRedisIsDownAndJoinWhenItComesUp()
    {
        await using var redis = await RedisServerFixture.StartAsync();
        await redis.KillAsync();
        await using var cluster = await Cluster.StartAsync(redis, 2, configureRedis: o =>
        {
            FastReconnect(o);
            var reconnect = o.ConfigureRedis!;
            o.ConfigureRedis = c =>
            {
                reconnect(c);
                c.ConnectTimeout = 500;
            };
        });

        // Up, without Redis: publications fail fast.
        var context = cluster.Context<Tether.Tests.Utils.EchoConnection>(0).Connection;
        await Assert.ThrowsAsync<RedisBackplaneException>(() => context.Broadcast("nobody hears this")).DefaultTimeout();
        Assert.False(cluster.Bus(0).IsConnected);

        await redis.RestartAsync();
        await cluster.Bus(0).WhenReady.DefaultTimeout();
        await cluster.Bus(1).WhenReady.DefaultTimeout();
        Assert.True(cluster.Bus(1).IsConnected);

        // Tokens need the shared key ring, which is in Redis now.
        await using var client = await OfficialClient.StartAsync(cluster[1].Url("/echo"), Transports.WebSockets, output);
        await context.Broadcast("now everyone does");
        await client.WaitForMessage("now everyone does").DefaultTimeout();
    }

    private static Task Restored(IConnectionMultiplexer multiplexer)
    {
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool failed = false;
        multiplexer.ConnectionFailed += (_, _) => Volatile.Write(ref failed, true);
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (Volatile.Read(ref failed) && e.ConnectionType == ConnectionType.Subscription)
            {
                restored.TrySetResult();
            }
        };
        return restored.Task;
    }

    /// <summary>Publishes m0, m1, ... one after another; after a failure it waits for the connection to come back.</summary>
    private sealed class Publisher(Func<int, Task> publish, IConnectionMultiplexer multiplexer)
    {
        private readonly object _lock = new();
        private readonly List<int> _succeeded = [];
        private readonly List<(int Count, TaskCompletionSource Tcs)> _waiters = [];
        private readonly TaskCompletionSource<(Exception Exception, TimeSpan Elapsed)> _firstFailure = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<int> _recovered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _stop;

        public Task<(Exception Exception, TimeSpan Elapsed)> FirstFailure => _firstFailure.Task;

        /// <summary>The index of the first message published after a failure.</summary>
        public Task<int> Recovered => _recovered.Task;

        public int FailureCount { get; private set; }

        public IReadOnlyList<int> Succeeded
        {
            get
            {
                lock (_lock)
                {
                    return _succeeded.ToArray();
                }
            }
        }

        public void Stop() => _stop = true;

        public Task WaitForSuccesses(int count)
        {
            lock (_lock)
            {
                if (_succeeded.Count >= count)
                {
                    return Task.CompletedTask;
                }

                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, tcs));
                return tcs.Task;
            }
        }

        public async Task RunAsync()
        {
            await Task.Yield();
            bool failedBefore = false;
            for (int i = 0; !_stop; i++)
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    await publish(i);
                }
                catch (Exception ex)
                {
                    FailureCount++;
                    _firstFailure.TrySetResult((ex, watch.Elapsed));
                    failedBefore = true;

                    // Wait for the interactive connection to be back, without spinning.
                    var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    EventHandler<ConnectionFailedEventArgs> handler = (_, e) => back.TrySetResult();
                    multiplexer.ConnectionRestored += handler;

                    // Bounded, in case the connection came back before the handler was added.
                    await back.Task.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { });
                    multiplexer.ConnectionRestored -= handler;
                    continue;
                }

                if (failedBefore)
                {
                    _recovered.TrySetResult(i);
                }

                List<TaskCompletionSource> done = [];
                lock (_lock)
                {
                    _succeeded.Add(i);
                    for (int w = _waiters.Count - 1; w >= 0; w--)
                    {
                        if (_succeeded.Count >= _waiters[w].Count)
                        {
                            done.Add(_waiters[w].Tcs);
                            _waiters.RemoveAt(w);
                        }
                    }
                }

                done.ForEach(t => t.TrySetResult());
            }
        }
    }

    /// <summary>Records the gaps nodes report.</summary>
    private sealed class GapLog
    {
        private readonly object _lock = new();
        private readonly List<(RedisMessageBus Bus, RedisGapEventArgs Gap)> _gaps = [];
        private readonly List<(Func<bool> Done, TaskCompletionSource Tcs)> _waiters = [];

        public GapLog(params RedisMessageBus[] buses)
        {
            foreach (var bus in buses)
            {
                bus.GapDetected += (_, gap) =>
                {
                    List<TaskCompletionSource> done = [];
                    lock (_lock)
                    {
                        _gaps.Add((bus, gap));
                        for (int i = _waiters.Count - 1; i >= 0; i--)
                        {
                            if (_waiters[i].Done())
                            {
                                done.Add(_waiters[i].Tcs);
                                _waiters.RemoveAt(i);
                            }
                        }
                    }

                    done.ForEach(t => t.TrySetResult());
                };
            }
        }

        public IReadOnlyList<RedisGapEventArgs> All
        {
            get
            {
                lock (_lock)
                {
                    return _gaps.Select(g => g.Gap).ToArray();
                }
            }
        }

        public Task WaitFor(RedisGapReason reason, int nodes)
        {
            bool Done() => _gaps.Where(g => g.Gap.Reason == reason).Select(g => g.Bus).Distinct().Count() >= nodes;
            lock (_lock)
            {
                if (Done())
                {
                    return Task.CompletedTask;
                }

                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((Done, tcs));
                return tcs.Task;
            }
        }
    }
}
