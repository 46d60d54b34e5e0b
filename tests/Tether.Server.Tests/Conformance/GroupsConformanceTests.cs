using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Tether.Server.Tests.Conformance;

/// <summary>
/// docs/protocol.md#groups-token, against dotnet-longPolling-groups.txt: <c>G</c> follows a membership change,
/// a groups token rejoins its groups on reconnect, and a bad or foreign groups token is ignored, never rejected.
/// </summary>
public sealed class GroupsConformanceTests
{
    /// <summary>A response that carries a groups token: keys C, G, M in that order (§6).</summary>
    private static readonly Regex GroupsTokenResponse = new("^\\{\"C\":\"" + Envelope.CursorPattern + "\",\"G\":\"(?:[^\"\\\\]|\\\\.)+\",\"M\":\\[.*\\]\\}$");

    private static Task GroupSend(TestServer server, string group, string text) =>
        server.Services.GetRequiredService<IPersistentConnectionContext<GroupsConnection>>().Groups.Send(group, text).DefaultTimeout();

    /// <summary>Polls until a response carried G and <paramref name="message"/> arrived; returns the G response.</summary>
    private static async Task<LongPollResult> PollForGroupsTokenAsync(ProtocolClient client, string message)
    {
        LongPollResult? withToken = null;
        bool seen = false;
        for (int i = 0; i < 10 && (withToken is null || !seen); i++)
        {
            var result = await client.LongPollAsync("poll", client.MessageId, client.GroupsToken);
            Assert.Equal(HttpStatusCode.OK, result.Status);
            if (result.Envelope?.G is not null)
            {
                withToken = result;
            }

            seen |= result.Envelope?.M.Contains(message) == true;
        }

        Assert.True(withToken is not null, "no response carried G after the membership change");
        Assert.True(seen, $"'{message}' never arrived");
        return withToken!;
    }

    /// <summary>
    /// Sends to the group, then straight to the connection; the connection must see only the direct message, which
    /// arrives after the group message would have.
    /// </summary>
    private static async Task AssertNotInGroupAsync(TestServer server, string connectionId, string group, Func<Func<IReadOnlyList<string>, bool>, Task<IReadOnlyList<string>>> readUntil)
    {
        await GroupSend(server, group, "to-group");
        await Expect.ServerSend<GroupsConnection>(server, connectionId, "barrier");
        var messages = await readUntil(m => m.Contains("barrier"));
        Assert.Equal(["barrier"], messages);
    }

    /// <summary>Keep-alives every second: a space in a pending poll proves the server is holding it.</summary>
    private static void FastKeepAlive(PersistentConnectionOptions o)
    {
        o.DisconnectTimeout = TimeSpan.FromSeconds(6);
        o.KeepAlive = TimeSpan.FromSeconds(1);
    }

    /// <summary>
    /// With a live poll (its first keep-alive space read), sends to the group and then to the connection; the poll must
    /// complete with the direct message only.
    /// </summary>
    private static async Task AssertLivePollNotInGroupAsync(TestServer server, string connectionId, LongPoll poll)
    {
        Assert.Equal(' ', await poll.ReadByteAsync());
        await GroupSend(server, "room1", "to-group");
        await Expect.ServerSend<GroupsConnection>(server, connectionId, "barrier");
        var result = await poll.CompleteAsync();
        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal(["barrier"], result.Envelope!.M);
    }

    [Fact]
    public async Task V26_Groups_LongPolling_JoinGivesG_ThenGroupMessages_LeaveGivesNewG()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/groups");
        await client.ConnectLongPollingAsync();

        var join = await client.SendDotNetAsync(ProtocolClient.LongPolling, "join:room1");
        Assert.Equal(HttpStatusCode.OK, join.Status);
        var joined = await PollForGroupsTokenAsync(client, "joined:room1");
        Assert.Matches(GroupsTokenResponse, joined.Body);
        string joinToken = joined.Envelope!.G!;

        await client.SendDotNetAsync(ProtocolClient.LongPolling, "to:room1:hello-group");
        await client.PollUntilAsync(m => m.Contains("hello-group"));

        await client.SendDotNetAsync(ProtocolClient.LongPolling, "leave:room1");
        var left = await PollForGroupsTokenAsync(client, "left:room1");
        Assert.NotEqual(joinToken, left.Envelope!.G);

        await AssertNotInGroupAsync(server, client.ConnectionId, "room1", async done =>
            (await client.PollUntilAsync(done)).SelectMany(r => r.Envelope!.M).ToList());
    }

    [Fact]
    public async Task V26_Groups_WebSockets_GInAFrame()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/groups");
        await client.NegotiateOrFailAsync();
        using var ws = await client.OpenWebSocketAsync();
        await ws.ReceiveAsync();
        await client.StartAsync(ProtocolClient.WebSockets);

        await ws.SendTextAsync("join:room1");
        var frames = await ws.ReadUntilAsync(m => m.Contains("joined:room1"));
        if (!frames.Any(f => f.G is not null))
        {
            frames.AddRange(await ws.ReadUntilAsync(_ => true));
        }

        var withToken = frames.FirstOrDefault(f => f.G is not null);
        Assert.True(withToken is not null, "no frame carried G after join: " + string.Join(" ", frames.Select(f => f.Json)));
        Assert.Matches(GroupsTokenResponse, withToken.Json);
    }

    [Theory]
    [InlineData(false)] // .NET: groupsToken in the query
    [InlineData(true)] // JS: groupsToken in the long-polling form body (P10)
    public async Task V26_GroupsToken_RejoinsGroupsOnReconnectToAnotherNode(bool formBody)
    {
        // Two nodes sharing data-protection keys (P11: "share keys across the farm so that any node can validate any
        // token"). Node B has never seen the connection; only the groups token can put it back into room1.
        var keys = new EphemeralDataProtectionProvider();
        void ShareKeys(IServiceCollection services) => services.AddSingleton<IDataProtectionProvider>(keys);
        await using var nodeA = await TestServer.StartAsync(FastKeepAlive, ShareKeys);
        await using var nodeB = await TestServer.StartAsync(FastKeepAlive, ShareKeys);
        using var onA = new ProtocolClient(nodeA, "/groups");
        await onA.ConnectLongPollingAsync();
        await onA.SendDotNetAsync(ProtocolClient.LongPolling, "join:room1");
        await PollForGroupsTokenAsync(onA, "joined:room1");

        using var onB = new ProtocolClient(nodeB, "/groups") { ConnectionToken = onA.ConnectionToken, ConnectionId = onA.ConnectionId };
        using var reconnect = onB.BeginLongPoll("reconnect", onA.MessageId, onA.GroupsToken, formBody);
        Assert.Equal(' ', await reconnect.ReadByteAsync()); // the reconnect is live (keep-alive space)

        await GroupSend(nodeB, "room1", "rejoined");

        var result = await reconnect.CompleteAsync();
        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal(["rejoined"], result.Envelope!.M);
    }

    [Theory]
    [InlineData("connect")]
    [InlineData("reconnect")]
    [InlineData("poll")]
    public async Task P16_BadGroupsToken_IgnoredNotRejected(string op)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/groups");
        await client.ConnectLongPollingAsync();

        if (op == "connect")
        {
            var connect = await client.LongPollAsync(op, null, "not-a-groups-token");
            Assert.Equal(HttpStatusCode.OK, connect.Status);
            Assert.Matches(Expect.InitMessage, connect.Body);
            await Expect.ServerSend<GroupsConnection>(server, client.ConnectionId, "still-works");
            await client.PollUntilAsync(m => m.Contains("still-works"), groupsToken: "%%%garbage");
        }
        else
        {
            await Expect.ServerSend<GroupsConnection>(server, client.ConnectionId, "still-works");
            var reply = await client.LongPollAsync(op, client.MessageId, "not-a-groups-token");
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            Assert.Equal(["still-works"], reply.Envelope!.M);
        }
    }

    [Fact]
    public async Task P16_BadGroupsToken_OnStreamingTransports_Ignored()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/groups");
        await client.NegotiateOrFailAsync();

        await using (var sse = await client.OpenSseAsync("reconnect", "x", "not-a-groups-token"))
        {
            Assert.Equal(HttpStatusCode.OK, sse.Status);
            Assert.Equal("data: initialized\n\n", await sse.ReadEventAsync());
        }

        using var ws = await client.OpenWebSocketAsync("connect", groupsToken: "Ab+c/d==");
        Assert.Matches(Expect.InitMessage, (await ws.ReceiveAsync()).Text);
        await Expect.ServerSend<GroupsConnection>(server, client.ConnectionId, "ws-ok");
        await ws.ReadUntilAsync(m => m.Contains("ws-ok"));
    }

    [Fact]
    public async Task P16_ForeignGroupsToken_OfAnotherConnection_Ignored()
    {
        // §9.2: a groups token whose connection id differs from the connection token's is silently treated as empty.
        await using var server = await TestServer.StartAsync(FastKeepAlive);
        using var member = new ProtocolClient(server, "/groups");
        await member.ConnectLongPollingAsync();
        await member.SendDotNetAsync(ProtocolClient.LongPolling, "join:room1");
        await PollForGroupsTokenAsync(member, "joined:room1");

        using var thief = new ProtocolClient(server, "/groups");
        await thief.ConnectLongPollingAsync();
        using var reconnect = thief.BeginLongPoll("reconnect", thief.MessageId, member.GroupsToken);

        await AssertLivePollNotInGroupAsync(server, thief.ConnectionId, reconnect);
    }

    [Fact]
    public async Task P16_NoGroupsToken_OnAnotherNode_NotInGroup()
    {
        // The control for the rejoin test: without the token, node B does not put the connection into room1.
        var keys = new EphemeralDataProtectionProvider();
        void ShareKeys(IServiceCollection services) => services.AddSingleton<IDataProtectionProvider>(keys);
        await using var nodeA = await TestServer.StartAsync(FastKeepAlive, ShareKeys);
        await using var nodeB = await TestServer.StartAsync(FastKeepAlive, ShareKeys);
        using var onA = new ProtocolClient(nodeA, "/groups");
        await onA.ConnectLongPollingAsync();
        await onA.SendDotNetAsync(ProtocolClient.LongPolling, "join:room1");
        await PollForGroupsTokenAsync(onA, "joined:room1");

        using var onB = new ProtocolClient(nodeB, "/groups") { ConnectionToken = onA.ConnectionToken, ConnectionId = onA.ConnectionId };
        using var reconnect = onB.BeginLongPoll("reconnect", onA.MessageId);

        await AssertLivePollNotInGroupAsync(nodeB, onB.ConnectionId, reconnect);
    }
}
