using System.Threading.Channels;
using Microsoft.AspNet.SignalR.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Server;
using Tether.Server.Hubs;

namespace Tether.Redis.Tests;

/// <summary>The hub of the scale-out tests.</summary>
[HubName("chat")]
public sealed class ScaleOutChatHub : Hub
{
    public void Send(string name, string message) => Clients.All.addMessage(name, message);

    public Task Join(string group) => Groups.Add(Context.ConnectionId, group);

    public Task SendToGroup(string group, string message) => Clients.Group(group).addMessage(group, message);
}

/// <summary>Hubs on two nodes behind one Redis: client calls, groups and IHubContext reach clients on the other node.</summary>
public sealed class HubScaleOutTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Theory]
    [InlineData("webSockets")]
    [InlineData("longPolling")]
    public async Task Client_calls_and_groups_cross_nodes(string transport)
    {
        string prefix = "hubs-" + Guid.NewGuid().ToString("N");
        await using var node0 = await HubNode.StartAsync(redis.Server.Configuration, prefix);
        await using var node1 = await HubNode.StartAsync(redis.Server.Configuration, prefix);
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
        var context = node1.Services.GetRequiredService<IHubContext<ScaleOutChatHub>>();
        await ((Task)context.Clients.Client(sender.ConnectionId).addMessage("context", "across")).DefaultTimeout();
        Assert.Equal("node0: to all", await TakeAsync(senderReceived));
        Assert.Equal("context: across", await TakeAsync(senderReceived));

        sender.Stop();
        member.Stop();
    }

    private static Microsoft.AspNet.SignalR.Client.Transports.IClientTransport Create(string transport) => transport == "webSockets"
        ? new Microsoft.AspNet.SignalR.Client.Transports.WebSocketTransport()
        : new Microsoft.AspNet.SignalR.Client.Transports.LongPollingTransport();

    private static Task<string> TakeAsync(Channel<string> items) => items.Reader.ReadAsync().AsTask().DefaultTimeout();

    /// <summary>A Kestrel node with the hub, on the shared Redis.</summary>
    private sealed class HubNode : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private HubNode(WebApplication app, Uri baseUri)
        {
            _app = app;
            BaseUri = baseUri;
        }

        public Uri BaseUri { get; }

        public IServiceProvider Services => _app.Services;

        public string Url(string path) => new Uri(BaseUri, path).ToString();

        public static async Task<HubNode> StartAsync(string configuration, string prefix)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddHubs([typeof(ScaleOutChatHub)]).AddRedis(o =>
            {
                o.Configuration = configuration;
                o.Prefix = prefix;
            });
            var app = builder.Build();
            app.MapHubs();
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new HubNode(app, new Uri(address.TrimEnd('/') + "/"));
        }

        public async ValueTask DisposeAsync()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(cts.Token);
            await _app.DisposeAsync();
        }
    }
}
