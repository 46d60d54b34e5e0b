using Xunit.Abstractions;

namespace Tether.Redis.Tests;

/// <summary>
/// The official 2.4.2 client on one node receives what is sent on another: broadcasts, group messages and direct sends,
/// from clients and from <c>IPersistentConnectionContext&lt;T&gt;</c>, with two and three nodes in this process.
/// </summary>
public sealed class ClusterTests(RedisFixture redis, ITestOutputHelper output) : IClassFixture<RedisFixture>
{
    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task BroadcastFromAClientOnNodeBReachesAClientOnNodeA(string transport)
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        await using var onA = await OfficialClient.StartAsync(cluster[0].Url("/broadcast"), transport, output);
        await using var onB = await OfficialClient.StartAsync(cluster[1].Url("/broadcast"), transport, output);

        await onB.Send("from B").DefaultTimeout();

        await onA.WaitForMessage("from B").DefaultTimeout();
        await onB.WaitForMessage("from B").DefaultTimeout();
        Assert.Equal(["from B"], onA.Messages);
    }

    [Fact]
    public async Task GroupMessagesCrossNodes()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        await using var onA = await OfficialClient.StartAsync(cluster[0].Url("/groups"), Transports.WebSockets, output);
        await using var onB = await OfficialClient.StartAsync(cluster[1].Url("/groups"), Transports.ServerSentEvents, output);

        await onA.Send("join:room").DefaultTimeout();
        await onA.WaitForMessage("joined:room").DefaultTimeout();

        // From a client on node B, and from node B's connection context.
        await onB.Send("to:room:hello room").DefaultTimeout();
        await onA.WaitForMessage("hello room").DefaultTimeout();
        await cluster.Context<GroupsConnection>(1).Groups.Send("room", "from context");
        await onA.WaitForMessage("from context").DefaultTimeout();

        // Leaving on node A is seen by node B's sends.
        await onA.Send("leave:room").DefaultTimeout();
        await onA.WaitForMessage("left:room").DefaultTimeout();
        await onB.Send("to:room:too late").DefaultTimeout();
        await onB.Send("all:end").DefaultTimeout();
        await onA.WaitForMessage("end").DefaultTimeout();
        await onB.WaitForMessage("end").DefaultTimeout();
        Assert.Equal(["joined:room", "hello room", "from context", "left:room", "end"], onA.Messages);
        Assert.Equal(["end"], onB.Messages);
    }

    [Theory]
    [InlineData(Transports.WebSockets)]
    [InlineData(Transports.LongPolling)]
    public async Task GroupAddOnNodeBForAClientOnNodeAMissesNothingSentRightAfter(string transport)
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        await using var onA = await OfficialClient.StartAsync(cluster[0].Url("/groups"), transport, output);
        var groupsOnB = cluster.Context<GroupsConnection>(1).Groups;

        for (int i = 0; i < 5; i++)
        {
            await groupsOnB.Add(onA.ConnectionId, $"g{i}");
            await groupsOnB.Send($"g{i}", $"to g{i}");
        }

        await onA.WaitForMessages(5).DefaultTimeout();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"to g{i}"), onA.Messages);
    }

    [Fact]
    public async Task DirectSendAndBroadcastFromNodeBsContext()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        await using var onA = await OfficialClient.StartAsync(cluster[0].Url("/echo"), Transports.WebSockets, output);
        await using var other = await OfficialClient.StartAsync(cluster[0].Url("/echo"), Transports.LongPolling, output);
        var contextOnB = cluster.Context<EchoConnection>(1).Connection;

        await contextOnB.Send(onA.ConnectionId, "just you");
        await contextOnB.Send([onA.ConnectionId, other.ConnectionId], "both of you");
        await contextOnB.Broadcast("everyone but other", other.ConnectionId);
        await contextOnB.Broadcast("everyone");

        await onA.WaitForMessages(4).DefaultTimeout();
        await other.WaitForMessages(2).DefaultTimeout();
        Assert.Equal(["just you", "both of you", "everyone but other", "everyone"], onA.Messages);
        Assert.Equal(["both of you", "everyone"], other.Messages);
    }

    [Fact]
    public async Task ThreeNodesActAsOne()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 3);
        var clients = new List<OfficialClient>();
        try
        {
            string[] transports = [Transports.WebSockets, Transports.ServerSentEvents, Transports.LongPolling];
            for (int i = 0; i < 3; i++)
            {
                clients.Add(await OfficialClient.StartAsync(cluster[i].Url("/broadcast"), transports[i], output));
            }

            // Every client sends through its own node; every client gets every message, in one order.
            for (int i = 0; i < 3; i++)
            {
                await clients[i].Send($"from {i}").DefaultTimeout();
                foreach (var client in clients)
                {
                    await client.WaitForMessage($"from {i}").DefaultTimeout();
                }
            }

            await cluster.Context<BroadcastConnection>(2).Connection.Broadcast("from the context of node 2");
            foreach (var client in clients)
            {
                await client.WaitForMessages(4).DefaultTimeout();
                Assert.Equal(["from 0", "from 1", "from 2", "from the context of node 2"], client.Messages);
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
