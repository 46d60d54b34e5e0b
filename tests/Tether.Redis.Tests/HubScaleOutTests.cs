using System.Threading.Channels;
using Microsoft.AspNet.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server;

namespace Tether.Redis.Tests;

/// <summary>Hubs on two nodes behind one Redis: client calls, groups and IHubContext reach clients on the other node.</summary>
public sealed class HubScaleOutTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Theory]
    [InlineData("webSockets")]
    [InlineData("longPolling")]
    public async Task Client_calls_and_groups_cross_nodes(string transport)
    {
        string prefix = "hubs-" + Guid.NewGuid().ToString("N");
        await using var node0 = await StartNodeAsync(prefix);
        await using var node1 = await StartNodeAsync(prefix);
        using var sender = new HubConnection(node0.Url("/signalr"));
        using var member = new HubConnection(node1.Url("/signalr"));
        var senderChat = sender.CreateHubProxy("chat");
        var memberChat = member.CreateHubProxy("chat");
        var received = Channel.CreateUnbounded<string>();
        memberChat.On<string, string>("addMessage", (from, text) => received.Writer.TryWrite(from + ": " + text));
        var senderReceived = Channel.CreateUnbounded<string>();
        senderChat.On<string, string>("addMessage", (from, text) => senderReceived.Writer.TryWrite(from + ": " + text));

        await sender.Start(Create(transport)).DefaultTimeout();
        await member.Start(Create(transport)).DefaultTimeout();
        await memberChat.Invoke("Join", "room").DefaultTimeout();

        await senderChat.Invoke("SendToGroup", "room", "to the group").DefaultTimeout();
        Assert.Equal("room: to the group", await TakeAsync(received));
        await senderChat.Invoke("Send", "node0", "to all").DefaultTimeout();
        Assert.Equal("node0: to all", await TakeAsync(received));

        // From outside any hub, on the member's node, to the sender's connection on the other node.
        var context = node1.Services.GetRequiredService<IHubContext<ChatHub>>();
        await ((Task)context.Clients.Client(sender.ConnectionId).addMessage("context", "across")).DefaultTimeout();
        Assert.Equal("node0: to all", await TakeAsync(senderReceived));
        Assert.Equal("context: across", await TakeAsync(senderReceived));

        sender.Stop();
        member.Stop();
    }

    private static Microsoft.AspNet.SignalR.Client.Transports.IClientTransport Create(string transport) => transport == "webSockets"
        ? new Microsoft.AspNet.SignalR.Client.Transports.WebSocketTransport()
        : new Microsoft.AspNet.SignalR.Client.Transports.LongPollingTransport();

    private Task<HubHost> StartNodeAsync(string prefix) =>
        HubHost.StartAsync([typeof(ChatHub)], services: hubs => hubs.AddRedis(o =>
        {
            o.Configuration = redis.Server.Configuration;
            o.Prefix = prefix;
        }));

    private static Task<string> TakeAsync(Channel<string> items) => items.Reader.ReadAsync().AsTask().DefaultTimeout();
}
