using System.Text;
using StackExchange.Redis;
using Tether.Server.Messaging;

namespace Tether.Redis.Tests;

/// <summary>What the backplane keeps is bounded: the replay stream in bytes and time, a node's buffers to its own topics.</summary>
public sealed class BoundsTests(RedisFixture redis, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<RedisFixture>
{
    private const int OneMegabyte = 1024 * 1024;

    private static Message Data(string topic, string text) => new(topic, Encoding.UTF8.GetBytes(text));

    private static Message Large(string topic, int bytes) => new(topic, Encoding.UTF8.GetBytes(new string('1', bytes)));

    private IDatabase Database() => ConnectionMultiplexer.Connect(redis.Server.Configuration).GetDatabase();

    [Fact]
    public async Task ReplayStream_IsBoundedInBytes_AfterAFloodOfOneMegabyteMessages()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 1, configureRedis: o => o.ReplayMaxBytes = 4 * OneMegabyte);
        for (int i = 0; i < 20; i++)
        {
            await cluster.Bus(0).PublishAsync(Large("t", OneMegabyte)).DefaultTimeout();
        }

        IDatabase db = Database();
        string stream = $"{{{cluster.Prefix}}}:stream";
        long counted = (long)await db.StringGetAsync($"{{{cluster.Prefix}}}:stream-bytes");
        StreamEntry[] entries = await db.StreamRangeAsync(stream);
        long stored = entries.Sum(e => ((byte[])e["m"]!).LongLength);
        long memory = (long)await db.ExecuteAsync("MEMORY", "USAGE", stream);

        output.WriteLine($"after 20 x 1 MB: XLEN {entries.Length}, counted {counted} bytes, stored {stored} bytes, MEMORY USAGE {memory} bytes");
        Assert.Equal(3, entries.Length);
        Assert.Equal(stored, counted);
        Assert.True(counted <= 4 * OneMegabyte, $"{counted} bytes counted");
        Assert.True(memory < 5 * OneMegabyte, $"MEMORY USAGE {memory}");
    }

    [Fact]
    public async Task ReplayStream_KeepsItsNewestMessage_WhenItAloneIsOverTheBound()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 1, configureRedis: o => o.ReplayMaxBytes = 1000);
        await cluster.Bus(0).PublishAsync(Large("t", 5000)).DefaultTimeout();
        await cluster.Bus(0).PublishAsync(Large("t", 4000)).DefaultTimeout();

        IDatabase db = Database();
        Assert.Equal(1, await db.StreamLengthAsync($"{{{cluster.Prefix}}}:stream"));
        Assert.True((long)await db.StringGetAsync($"{{{cluster.Prefix}}}:stream-bytes") > 4000);
    }

    [Fact]
    public async Task ReplayStream_IsBoundedInCount_Exactly()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 1, configureRedis: o => o.ReplayLength = 5);
        for (int i = 0; i < 20; i++)
        {
            await cluster.Bus(0).PublishAsync(Data("t", $"m{i}")).DefaultTimeout();
        }

        Assert.Equal(5, await Database().StreamLengthAsync($"{{{cluster.Prefix}}}:stream"));
    }

    [Fact]
    public async Task EveryKeyWritten_HasATimeToLive_OrIsASingleNumber()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 1, configureRedis: o => o.ReplayTtl = TimeSpan.FromMinutes(10));
        await cluster.Bus(0).PublishAsync(Data("t", "1")).DefaultTimeout();

        IDatabase db = Database();
        var server = db.Multiplexer.GetServer(redis.Server.EndPoint);
        RedisKey[] keys = server.Keys(pattern: $"{{{cluster.Prefix}}}:*").ToArray();
        Assert.Equal(
            ["dataprotection-keys", "epoch", "id", "stream", "stream-bytes"],
            keys.Select(k => ((string)k!)[(cluster.Prefix.Length + 3)..]).Order(StringComparer.Ordinal));
        foreach (RedisKey key in keys)
        {
            string name = ((string)key!)[(cluster.Prefix.Length + 3)..];
            TimeSpan? ttl = await db.KeyTimeToLiveAsync(key);
            if (name is "stream" or "stream-bytes")
            {
                Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
            }
            else if (name is "id" or "epoch")
            {
                Assert.Null(ttl);
                Assert.True(ulong.TryParse((string?)await db.StringGetAsync(key), out _));
            }
        }
    }

    [Fact]
    public async Task ANode_BuffersOnlyTheTopicsItsOwnSubscribersUse()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        using var reader = new Collector(cluster.Bus(0), ["t"]);
        for (int i = 0; i < 50; i++)
        {
            await cluster.Bus(1).PublishAsync(Data("t", $"t{i}")).DefaultTimeout();
            await cluster.Bus(1).PublishAsync(Large($"c-nobody-{i}", 10_000)).DefaultTimeout();
        }

        // A last message to the read topic: once it is read, node 0 has applied everything before it too.
        await cluster.Bus(1).PublishAsync(Data("t", "end")).DefaultTimeout();
        await reader.WaitForCount(51).DefaultTimeout();

        // Node 1 published everything but reads nothing: no topic, no byte buffered, every message counted.
        Assert.Equal(0, cluster.Bus(1).TopicCount);
        Assert.Equal(0, cluster.Bus(1).BufferedBytes);
        Assert.Equal(101, cluster.Bus(1).UnbufferedMessages);

        // Node 0 holds its subscriber's topic only: "t0".."t49" and "end".
        Assert.Equal(1, cluster.Bus(0).TopicCount);
        Assert.Equal((10 * 2) + (40 * 3) + 3, cluster.Bus(0).BufferedBytes);
        Assert.Equal(50, cluster.Bus(0).UnbufferedMessages);
    }

    [Fact]
    public async Task PendingMessages_AreBoundedInCount_AndTheRestIsReadFromTheStream()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 1, configureRedis: o =>
        {
            o.MaxPendingMessages = 4;
            o.GapFillDelay = TimeSpan.FromSeconds(2);
        });
        var bus = cluster.Bus(0);
        await bus.PublishAsync(Data("other", "starts the epoch")).DefaultTimeout();
        using var reader = new Collector(bus, ["t"]);
        IDatabase db = Database();
        ulong epoch = ulong.Parse((string)(await db.StringGetAsync($"{{{cluster.Prefix}}}:epoch"))!, System.Globalization.CultureInfo.InvariantCulture);

        // The node hears of thirty messages but the first (their ids are the next ones: nobody else publishes here)...
        ulong counter = ulong.Parse((string)(await db.StringGetAsync($"{{{cluster.Prefix}}}:id"))!, System.Globalization.CultureInfo.InvariantCulture);
        Message[] messages = Enumerable.Range(0, 30).Select(i => Data("t", $"m{i}")).ToArray();
        for (int i = 1; i < 30; i++)
        {
            bus.Intake.Offer(counter + 1 + (ulong)i, epoch, messages[i], Internal.IntakeSource.Publisher);
        }

        // ...and the window holds ids within 4 of the last applied one: 2 of the 29, the other 27 are refused.
        Assert.Equal(2, bus.Intake.Pending.Count);
        Assert.Equal(27, bus.Intake.Pending.Refused);

        // Then all thirty reach the stream (pipelined, well within the gap fill delay), never through pub/sub.
        ulong[] ids = await Task.WhenAll(messages.Select(m => BusTests.AppendWithoutPublishing(db, cluster.Prefix, m)));
        Assert.Equal(Enumerable.Range(1, 30).Select(i => counter + (ulong)i), ids);

        await reader.WaitForCount(30).DefaultTimeout();
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"m{i}"), reader.Texts);
        Assert.Equal(0, bus.Intake.Pending.Count);
    }
}
