using System.Text;
using StackExchange.Redis;
using Tether.Server.Messaging;

namespace Tether.Redis.Tests;

/// <summary>What a publication costs: the commands the publish script runs on Redis (INFO commandstats), and the wake-ups of subscribers.</summary>
public sealed class PublishCostTests
{
    private static Message Data(string topic, string text) => new(topic, Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task ABatchOverTheCountBound_IsTrimmedWithOneDelete_NotOnePerMessage()
    {
        // A server of our own: its writes are paused, so the publications made meanwhile go out as one batch.
        await using var server = await RedisServerFixture.StartAsync();
        await using var cluster = await Cluster.StartAsync(server, 1, configureRedis: o => o.ReplayLength = 5);
        await using var admin = await ConnectAdminAsync(server);
        IServer redisServer = admin.GetServer(server.EndPoint);
        var bus = cluster.Bus(0);
        using var reader = new Collector(bus, ["t"]);
        for (int i = 0; i < 5; i++)
        {
            await bus.PublishAsync(Data("t", $"fill{i}")).DefaultTimeout();
        }

        long deletesBefore = await CallsAsync(redisServer, "xdel");
        await redisServer.ExecuteAsync("CLIENT", "PAUSE", "20000", "WRITE");
        Task inFlight = bus.PublishAsync(Data("t", "in flight")).AsTask();
        Task[] batch = Enumerable.Range(0, 20).Select(i => bus.PublishAsync(Data("t", $"m{i}")).AsTask()).ToArray();
        await redisServer.ExecuteAsync("CLIENT", "UNPAUSE");
        await Task.WhenAll([inFlight, .. batch]).DefaultTimeout();
        await reader.WaitForCount(26).DefaultTimeout();

        // One script call for the lone publication, one for the twenty that waited: one XDEL each.
        Assert.Equal(2, await CallsAsync(redisServer, "xdel") - deletesBefore);
        IDatabase db = admin.GetDatabase();
        StreamEntry[] entries = await db.StreamRangeAsync($"{{{cluster.Prefix}}}:stream");
        Assert.Equal(5, entries.Length);
        Assert.Equal(entries.Sum(e => ((byte[])e["m"]!).LongLength), (long)await db.StringGetAsync($"{{{cluster.Prefix}}}:stream-bytes"));
        Assert.Contains("m19", Encoding.UTF8.GetString((byte[])entries[^1]["m"]!), StringComparison.Ordinal);
        Assert.Equal(["fill0", "fill1", "fill2", "fill3", "fill4", "in flight", .. Enumerable.Range(0, 20).Select(i => $"m{i}")], reader.Texts);
    }

    [Fact]
    public async Task ABatch_WakesEachSubscriberOnce_OnEveryNode()
    {
        await using var server = await RedisServerFixture.StartAsync();
        await using var cluster = await Cluster.StartAsync(server, 2);
        await using var admin = await ConnectAdminAsync(server);
        IServer redisServer = admin.GetServer(server.EndPoint);
        int[] wakes = new int[2];
        using var on0 = cluster.Bus(0).Subscribe(["t"], null, () => Interlocked.Increment(ref wakes[0]));
        using var on1 = cluster.Bus(1).Subscribe(["t"], null, () => Interlocked.Increment(ref wakes[1]));
        using var reader = new Collector(cluster.Bus(1), ["t"]);

        // One publication in flight while Redis's writes are paused, twenty waiting for it: two script calls, two PUBLISH.
        await redisServer.ExecuteAsync("CLIENT", "PAUSE", "20000", "WRITE");
        Task inFlight = cluster.Bus(0).PublishAsync(Data("t", "in flight")).AsTask();
        Task[] batch = Enumerable.Range(0, 20).Select(i => cluster.Bus(0).PublishAsync(Data("t", $"m{i}")).AsTask()).ToArray();
        await redisServer.ExecuteAsync("CLIENT", "UNPAUSE");
        await Task.WhenAll([inFlight, .. batch]).DefaultTimeout();
        await reader.WaitForCount(21).DefaultTimeout();

        // The publishing node applies each batch from the script's answer or from pub/sub, whichever comes first; the
        // other node from pub/sub: either way, once per batch, so a reader gets the twenty together.
        Assert.InRange(Volatile.Read(ref wakes[0]), 1, 2);
        Assert.InRange(Volatile.Read(ref wakes[1]), 1, 2);
    }

    private static async Task<ConnectionMultiplexer> ConnectAdminAsync(RedisServerFixture server)
    {
        var options = ConfigurationOptions.Parse(server.Configuration);
        options.AllowAdmin = true;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>How many times Redis ran a command (inside scripts too), from INFO commandstats.</summary>
    private static async Task<long> CallsAsync(IServer server, string command)
    {
        string info = (string)(await server.ExecuteAsync("INFO", "commandstats"))!;
        string prefix = $"cmdstat_{command}:calls=";
        foreach (string line in info.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(prefix.Length, line.IndexOf(',', StringComparison.Ordinal) - prefix.Length), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
