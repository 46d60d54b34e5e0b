using System.Text;
using StackExchange.Redis;
using Tether.Redis.Internal;
using Tether.Server.Messaging;

namespace Tether.Redis.Tests;

/// <summary>Publications made while a publish script is in flight go out together: one script call, one PUBLISH.</summary>
public sealed class PublishBatchTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static Message Data(string topic, string text) => new(topic, Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task ABurstGoesOutInBatches_AndEveryNodeReadsItOnceInTheOrderItWasMade()
    {
        const int Count = 200;
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        await using var raw = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
        int values = 0;
        int envelopes = 0;
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var channel = await raw.GetSubscriber().SubscribeAsync(RedisChannel.Literal(cluster.Prefix + ":messages"));
        channel.OnMessage(m =>
        {
            byte[] data = (byte[])m.Message!;
            int inValue = 1;
            if (Envelope.IsBatch(data, out ReadOnlySpan<byte> entries))
            {
                inValue = 0;
                while (Envelope.TryTakeEntry(ref entries, out _))
                {
                    inValue++;
                }
            }

            Interlocked.Increment(ref values);
            if (Interlocked.Add(ref envelopes, inValue) == Count + 1)
            {
                allSeen.TrySetResult();
            }
        });
        using var on0 = new Collector(cluster.Bus(0), ["t"]);
        using var on1 = new Collector(cluster.Bus(1), ["t"]);

        // Started without awaiting: all but the first wait while a script is in flight.
        Task[] sends = Enumerable.Range(0, Count).Select(i => cluster.Bus(0).PublishAsync(Data("t", $"m{i}")).AsTask()).ToArray();
        await Task.WhenAll(sends).DefaultTimeout();
        await on0.WaitForCount(Count).DefaultTimeout();
        await on1.WaitForCount(Count).DefaultTimeout();

        string[] expected = Enumerable.Range(0, Count).Select(i => $"m{i}").ToArray();
        Assert.Equal(expected, on0.Texts);
        Assert.Equal(expected, on1.Texts);

        // The subscriber above saw every message; a last one through the same channel marks the end of the burst.
        await cluster.Bus(0).PublishAsync(Data("t", "end")).DefaultTimeout();
        await on1.WaitForCount(Count + 1).DefaultTimeout();
        await allSeen.Task.DefaultTimeout();
        Assert.True(Volatile.Read(ref values) < Count, $"{values} PUBLISH for {Count + 1} messages");
        await channel.UnsubscribeAsync();
    }

    [Fact]
    public async Task ABurst_KeepsTheReplayStreamWithinItsCount_AndItsByteCountExact()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 1, configureRedis: o => o.ReplayLength = 5);
        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => cluster.Bus(0).PublishAsync(Data("t", $"m{i}")).AsTask())).DefaultTimeout();

        var (length, counted, stored, newest) = await StreamStateAsync(cluster.Prefix);
        Assert.Equal(5, length);
        Assert.Equal(stored, counted);
        Assert.EndsWith("m59", newest);
    }

    [Fact]
    public async Task ABurst_KeepsTheReplayStreamWithinItsBytes_AndItsByteCountExact()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 1, configureRedis: o => o.ReplayMaxBytes = 50_000);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => cluster.Bus(0).PublishAsync(Data("t", i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) + new string('x', 10_000))).AsTask())).DefaultTimeout();

        var (length, counted, stored, newest) = await StreamStateAsync(cluster.Prefix);
        Assert.Equal(stored, counted);
        Assert.InRange(counted, 40_000, 50_000);
        Assert.Equal(4, length);
        Assert.Contains("39xxx", newest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APublicationCancelledWhileItWaitsForItsBatch_IsNeverSent()
    {
        // A server of our own: its writes are paused, so the first publication stays in flight and the next ones wait.
        await using var server = await RedisServerFixture.StartAsync();
        await using var cluster = await Cluster.StartAsync(server, 1);
        var options = ConfigurationOptions.Parse(server.Configuration);
        options.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(options);
        IServer redisServer = admin.GetServer(server.EndPoint);
        var bus = cluster.Bus(0);
        using var reader = new Collector(bus, ["t"]);
        await bus.PublishAsync(Data("t", "first")).DefaultTimeout();

        await redisServer.ExecuteAsync("CLIENT", "PAUSE", "20000", "WRITE");
        Task inFlight = bus.PublishAsync(Data("t", "in flight")).AsTask();
        using var cancel = new CancellationTokenSource();
        Task withdrawn = bus.PublishAsync(Data("t", "withdrawn"), cancel.Token).AsTask();
        Task after = bus.PublishAsync(Data("t", "after")).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn).DefaultTimeout();
        Assert.False(inFlight.IsCompleted);
        await redisServer.ExecuteAsync("CLIENT", "UNPAUSE");

        await Task.WhenAll(inFlight, after).DefaultTimeout();
        await reader.WaitForCount(3).DefaultTimeout();
        Assert.Equal(["first", "in flight", "after"], reader.Texts);
        StreamEntry[] stored = await admin.GetDatabase().StreamRangeAsync($"{{{cluster.Prefix}}}:stream");
        Assert.Equal(3, stored.Length);
    }

    [Fact]
    public async Task AMessageRedisRefuses_FailsItsPublisher_AndTakesNoId()
    {
        await using var server = await RedisServerFixture.StartAsync();
        await using var cluster = await Cluster.StartAsync(server, 2);
        var options = ConfigurationOptions.Parse(server.Configuration);
        options.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(options);
        IServer redisServer = admin.GetServer(server.EndPoint);
        int gaps = 0;
        cluster.Bus(1).GapDetected += (_, _) => Interlocked.Increment(ref gaps);
        using var reader = new Collector(cluster.Bus(1), ["t"]);
        await cluster.Bus(0).PublishAsync(Data("t", "before")).DefaultTimeout();
        ulong counter = (ulong)(long)await admin.GetDatabase().StringGetAsync($"{{{cluster.Prefix}}}:id");

        // Out of memory: Redis refuses the stream append, so the script hands out no id.
        await redisServer.ConfigSetAsync("maxmemory-policy", "noeviction");
        await redisServer.ConfigSetAsync("maxmemory", "1");
        var refused = await Assert.ThrowsAsync<RedisBackplaneException>(() => cluster.Bus(0).PublishAsync(Data("t", "refused")).AsTask()).DefaultTimeout();
        Assert.Contains("OOM", refused.ToString(), StringComparison.Ordinal);
        Assert.Equal(counter, (ulong)(long)await admin.GetDatabase().StringGetAsync($"{{{cluster.Prefix}}}:id"));
        await redisServer.ConfigSetAsync("maxmemory", "0");

        await cluster.Bus(0).PublishAsync(Data("t", "after")).DefaultTimeout();
        await reader.WaitForCount(2).DefaultTimeout();
        Assert.Equal(["before", "after"], reader.Texts);
        Assert.Equal(0, Volatile.Read(ref gaps));
    }

    private async Task<(long Length, long Counted, long Stored, string Newest)> StreamStateAsync(string prefix)
    {
        await using var raw = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
        IDatabase db = raw.GetDatabase();
        StreamEntry[] entries = await db.StreamRangeAsync($"{{{prefix}}}:stream");
        long counted = (long)await db.StringGetAsync($"{{{prefix}}}:stream-bytes");
        long stored = entries.Sum(e => ((byte[])e["m"]!).LongLength);
        return (entries.Length, counted, stored, Encoding.UTF8.GetString((byte[])entries[^1]["m"]!));
    }
}
