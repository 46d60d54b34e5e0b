using System.Text;
using StackExchange.Redis;
using Tether.Server.Messaging;

namespace Tether.Redis.Tests;

/// <summary>The backplane as a message bus: nodes in this process, on a real redis-server, without HTTP.</summary>
public sealed class BusTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static Message Data(string topic, string text, params string[] excluded) => new(topic, Encoding.UTF8.GetBytes(text), excluded);

    [Fact]
    public async Task MessagePublishedOnOneNodeIsReadOnEveryNode()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 3);
        using var on0 = new Collector(cluster.Bus(0), ["t"]);
        using var on2 = new Collector(cluster.Bus(2), ["t"]);

        await cluster.Bus(1).PublishAsync(Data("t", "hello", "c-x")).DefaultTimeout();

        await on0.WaitForCount(1).DefaultTimeout();
        await on2.WaitForCount(1).DefaultTimeout();
        Assert.Equal(["hello"], on0.Texts);
        Assert.Equal(["hello"], on2.Texts);
        Assert.Equal(["c-x"], on2.Messages[0].ExcludedConnectionIds!);
        Assert.Equal("t", on2.Messages[0].Topic);
    }

    [Fact]
    public async Task PublishCompletesOnceTheLocalNodeCanReadIt()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        using var local = new Collector(cluster.Bus(0), ["t"], start: false);

        await cluster.Bus(0).PublishAsync(Data("t", "mine")).DefaultTimeout();

        var batch = new List<Message>();
        Assert.Equal(1, local.Subscription.Read(batch, 10));
        Assert.Equal(cluster.Bus(0).AppliedId + 1, cluster.Bus(0).GetNextId("t"));
    }

    [Fact]
    public async Task EveryNodeSeesOneOrderThatKeepsEachSendersOrder()
    {
        const int PerSender = 150;
        await using var cluster = await Cluster.StartAsync(redis.Server, 3);
        using var on0 = new Collector(cluster.Bus(0), ["a", "b"]);
        using var on2 = new Collector(cluster.Bus(2), ["a", "b"]);

        async Task Send(int node, string topic)
        {
            for (int i = 0; i < PerSender; i++)
            {
                await cluster.Bus(node).PublishAsync(Data(topic, $"{topic}{i}"));
            }
        }

        // Two senders on two nodes, one pipelined (not awaited one by one) on a third.
        var pipelined = Enumerable.Range(0, PerSender).Select(i => cluster.Bus(2).PublishAsync(Data("a", $"p{i}")).AsTask()).ToArray();
        var s0 = Send(0, "a");
        var s1 = Send(1, "b");
        var sp = Task.WhenAll(pipelined);
        try
        {
            await Task.WhenAll(s0, s1, sp).DefaultTimeout();
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"s0 {s0.Status} s1 {s1.Status} pipelined {pipelined.Count(t => !t.IsCompleted)} open\n0: {cluster.Bus(0).DebugState}\n1: {cluster.Bus(1).DebugState}\n2: {cluster.Bus(2).DebugState}");
        }

        try
        {
            await on0.WaitForCount(3 * PerSender).DefaultTimeout();
            await on2.WaitForCount(3 * PerSender).DefaultTimeout();
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"on0 {on0.Messages.Count} on2 {on2.Messages.Count} pos0 {((Internal.RedisSubscription)on0.Subscription).Position} unread0 {on0.Subscription.UnreadCount} pos2 {((Internal.RedisSubscription)on2.Subscription).Position}\n0: {cluster.Bus(0).DebugState}\n1: {cluster.Bus(1).DebugState}\n2: {cluster.Bus(2).DebugState}");
        }

        Assert.Equal(on0.Texts, on2.Texts);
        foreach (string sender in new[] { "a", "b", "p" })
        {
            var mine = on0.Texts.Where(t => t[0] == sender[0] && char.IsDigit(t[1])).ToArray();
            Assert.Equal(Enumerable.Range(0, PerSender).Select(i => $"{sender}{i}"), mine);
        }
    }

    [Fact]
    public async Task CursorFromOneNodeResumesExactlyOnAnother()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        using var reader = new Collector(cluster.Bus(0), ["t", "u"], start: false);
        for (int i = 0; i < 10; i++)
        {
            await cluster.Bus(1).PublishAsync(Data(i % 2 == 0 ? "t" : "u", $"m{i}")).DefaultTimeout();
        }

        // Node 0 applies what node 1 published as it arrives; read the first half there.
        var batch = new List<Message>();
        await reader.ReadUntil(batch, 1, b => b.Count == 5).DefaultTimeout();

        string cursor = reader.Subscription.Cursor;
        Assert.StartsWith("s-", cursor);

        using var resumed = new Collector(cluster.Bus(1), ["u", "t"], cursor);
        await resumed.WaitForCount(5).DefaultTimeout();
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], batch.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
        Assert.Equal(["m5", "m6", "m7", "m8", "m9"], resumed.Texts);
    }

    [Fact]
    public async Task CursorAheadOfALaggingNodeWaitsForIt()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        var bus = cluster.Bus(0);
        await bus.PublishAsync(Data("other", "starts the epoch")).DefaultTimeout();

        // A cursor a few ids ahead of everything, as a node that is ahead of this one would write it.
        string cursor = $"s-{Internal.ScaleoutCursor.ClusterTag(cluster.Prefix):X},{bus.AppliedId + 2:X}";
        using var reader = new Collector(bus, ["t"], cursor);
        for (int i = 0; i < 4; i++)
        {
            await cluster.Bus(1).PublishAsync(Data("t", $"m{i}")).DefaultTimeout();
        }

        await reader.WaitForCount(2).DefaultTimeout();
        await cluster.Bus(1).PublishAsync(Data("t", "last")).DefaultTimeout();
        await reader.WaitForCount(3).DefaultTimeout();
        Assert.Equal(["m2", "m3", "last"], reader.Texts);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("d-1A2B3C-1,0")]
    [InlineData("s-0,0")]
    [InlineData("garbage \" \\ ")]
    public async Task ForeignOrGarbageCursorStartsAtNow(string? cursor)
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 1);
        await cluster.Bus(0).PublishAsync(Data("t", "before")).DefaultTimeout();
        using var reader = new Collector(cluster.Bus(0), ["t"], cursor);
        await cluster.Bus(0).PublishAsync(Data("t", "after")).DefaultTimeout();
        await reader.WaitForCount(1).DefaultTimeout();
        Assert.Equal(["after"], reader.Texts);
    }

    [Fact]
    public async Task TopicAddedAtAnotherNodesNextIdMissesNothingPublishedAfterwards()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        using var reader = new Collector(cluster.Bus(0), ["c-1"], start: false);
        await cluster.Bus(1).PublishAsync(Data("g", "before")).DefaultTimeout();

        // As Groups.Add on node 1 does: the position there, then the command; then a message to the group at once.
        ulong position = cluster.Bus(1).GetNextId("g");
        await cluster.Bus(1).PublishAsync(Message.ForCommand("c-1", new Command(CommandType.AddToGroup, "g", position))).DefaultTimeout();
        await cluster.Bus(1).PublishAsync(Data("g", "after")).DefaultTimeout();
        await cluster.Bus(1).PublishAsync(Data("c-1", "direct")).DefaultTimeout();

        // Node 0 may read the command and everything after it in one batch, before it covers the group: the group
        // still starts at the position, not at the batch's end.
        var batch = new List<Message>();
        await reader.ReadUntil(batch, 100, b => b.Any(m => m.Topic == "c-1" && m.Command is null)).DefaultTimeout();

        var command = Assert.Single(batch, m => m.Command is not null).Command!;
        reader.Subscription.AddTopic(command.Value!, command.Position);
        batch.Clear();

        // Node 0 held no "g" before: it fills the group from the replay stream, then signals.
        await reader.ReadUntil(batch, 100, b => b.Count > 0).DefaultTimeout();
        Assert.Equal(["after"], batch.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));

        // The late topic's own position travels in the cursor until it has caught up.
        string cursor = reader.Subscription.Cursor;
        Assert.DoesNotContain('|', cursor);
    }

    [Fact]
    public async Task LateTopicPositionTravelsInTheCursorToAnotherNode()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        using var reader = new Collector(cluster.Bus(0), ["c-1"], start: false);
        ulong position = cluster.Bus(1).GetNextId("g");
        await cluster.Bus(1).PublishAsync(Data("g", "g1")).DefaultTimeout();
        await cluster.Bus(1).PublishAsync(Data("g", "g2")).DefaultTimeout();
        await cluster.Bus(1).PublishAsync(Data("c-1", "direct")).DefaultTimeout();

        var batch = new List<Message>();
        await reader.ReadUntil(batch, 100, b => b.Count > 0).DefaultTimeout();

        // Join after the shared position passed the group's messages, and read only one of them here.
        reader.Subscription.AddTopic("g", position);
        batch.Clear();

        // Node 0 held no "g" before: it fills the group from the replay stream, then signals.
        await reader.ReadUntil(batch, 1, b => b.Count > 0).DefaultTimeout();
        Assert.Single(batch);
        string cursor = reader.Subscription.Cursor;
        Assert.Contains('|', cursor);

        // A response writes the same cursor into its own buffer, with no string built per read.
        var formattable = (Internal.RedisSubscription)reader.Subscription;
        char[] buffer = new char[formattable.CursorLength];
        Assert.Equal(cursor, new string(buffer, 0, formattable.FormatCursor(buffer)));

        using var resumed = new Collector(cluster.Bus(1), ["c-1", "g"], cursor);
        await resumed.WaitForCount(1).DefaultTimeout();
        Assert.Equal(["g2"], resumed.Texts);
    }

    [Fact]
    public async Task MessageMissedByPubSubIsReadFromTheReplayStream()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 1);
        var bus = cluster.Bus(0);
        using var reader = new Collector(bus, ["t"]);
        await bus.PublishAsync(Data("t", "first")).DefaultTimeout();

        // Store a message as the script does, but without publishing it: no node hears of it by pub/sub.
        await using var raw = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
        var db = raw.GetDatabase();
        await AppendWithoutPublishing(db, cluster.Prefix, Data("t", "missed"));

        // The next message reaches the node by pub/sub with an id past the hole: the node reads the hole at once.
        await bus.PublishAsync(Data("t", "third")).DefaultTimeout();
        await reader.WaitForCount(3).DefaultTimeout();
        Assert.Equal(["first", "missed", "third"], reader.Texts);
    }

    [Fact]
    public async Task IdleNodeFindsAMessageItMissedByItself()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 1);
        var bus = cluster.Bus(0);
        using var reader = new Collector(bus, ["t"]);
        await bus.PublishAsync(Data("t", "first")).DefaultTimeout();

        await using var raw = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
        await AppendWithoutPublishing(raw.GetDatabase(), cluster.Prefix, Data("t", "missed"));

        // Nothing else is published: the node's idle check of the counter finds it.
        await reader.WaitForCount(2).DefaultTimeout();
        Assert.Equal(["first", "missed"], reader.Texts);
    }

    [Fact]
    public async Task IdsTheReplayNoLongerHasAreReportedAsAGap()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        var gaps = new List<RedisGapEventArgs>();
        var gapSeen = new TaskCompletionSource<RedisGapEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Bus(1).GapDetected += (_, e) =>
        {
            lock (gaps)
            {
                gaps.Add(e);
            }

            gapSeen.TrySetResult(e);
        };
        using var reader = new Collector(cluster.Bus(1), ["t"]);
        await cluster.Bus(0).PublishAsync(Data("t", "first")).DefaultTimeout();
        await reader.WaitForCount(1).DefaultTimeout();

        // Two ids handed out and stored, then trimmed away before any node read them; then a message published by
        // hand with the next id, which every node hears.
        await using var raw = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
        var db = raw.GetDatabase();
        ulong lost1 = await AppendWithoutPublishing(db, cluster.Prefix, Data("t", "lost1"));
        await AppendWithoutPublishing(db, cluster.Prefix, Data("t", "lost2"));
        await db.KeyDeleteAsync($"{{{cluster.Prefix}}}:stream");
        await cluster.Bus(0).PublishAsync(Data("t", "after")).DefaultTimeout();

        var gap = await gapSeen.Task.DefaultTimeout();
        await reader.WaitForCount(2).DefaultTimeout();
        Assert.Equal(["first", "after"], reader.Texts);
        Assert.Equal(RedisGapReason.NotInReplay, gap.Reason);
        Assert.Equal(lost1, gap.FirstId);
        Assert.Equal(lost1 + 1, gap.LastId);
    }

    [Fact]
    public async Task TopicsOfOtherNodesClientsAreKeptForAClientThatMovesHere()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        using var onNode0 = new Collector(cluster.Bus(0), ["c-moving"]);
        await cluster.Bus(0).PublishAsync(Data("c-moving", "one")).DefaultTimeout();
        await onNode0.WaitForCount(1).DefaultTimeout();
        string cursor = onNode0.Subscription.Cursor;
        await cluster.Bus(0).PublishAsync(Data("c-moving", "two")).DefaultTimeout();

        // Node 1 had no subscriber for the topic, yet kept its messages.
        using var onNode1 = new Collector(cluster.Bus(1), ["c-moving"], cursor);
        await onNode1.WaitForCount(1).DefaultTimeout();
        Assert.Equal(["two"], onNode1.Texts);
    }

    /// <summary>Does what the publish script does, except PUBLISH: the message has an id and is in the replay stream.</summary>
    internal static async Task<ulong> AppendWithoutPublishing(IDatabase db, string prefix, Message message)
    {
        const string script = """
            local id = tonumber(redis.call('GET', KEYS[1])) + 1
            local idText = string.format('%.0f', id)
            local epoch = redis.call('GET', KEYS[2])
            redis.call('XADD', KEYS[3], idText .. '-0', 'm', idText .. ':' .. epoch .. ':' .. ARGV[1])
            redis.call('SET', KEYS[1], idText)
            return id
            """;
        var result = await db.ScriptEvaluateAsync(
            script,
            [$"{{{prefix}}}:id", $"{{{prefix}}}:epoch", $"{{{prefix}}}:stream"],
            [Internal.MessageFrame.Encode(message)]);
        return (ulong)(long)result;
    }
}
