using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Messaging;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Lifecycle;

/// <summary>
/// A connection that has ended (stopped or timed out) has its topic dropped at once, not after the topic time to live
/// (100 s by default): a server that sees many short-lived connections holds nothing for the ones that are gone.
/// </summary>
public sealed class EndedConnectionTopicTests
{
    private const int Connections = 50;

    [Fact]
    public async Task StoppedConnections_LeaveNoTopicBehind()
    {
        await using var server = await TestServer.StartAsync();
        var bus = (InMemoryMessageBus)server.Services.GetRequiredService<IMessageBus>();
        for (int i = 0; i < Connections; i++)
        {
            using var client = new ProtocolClient(server, "/events");
            await client.ConnectLongPollingAsync();
            await client.StartAsync(ProtocolClient.LongPolling);
            Assert.True(bus.HasTopic("c-" + client.ConnectionId));

            await client.AbortAsync(ProtocolClient.LongPolling);
            await server.Events.WaitFor(ConnectionEventKind.Disconnected, client.ConnectionId).DefaultTimeout();
            Assert.False(bus.HasTopic("c-" + client.ConnectionId));
        }
    }

    [Fact]
    public async Task TimedOutConnections_LeaveNoTopicBehind()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(0.6);
            o.KeepAlive = null;
        });
        var bus = (InMemoryMessageBus)server.Services.GetRequiredService<IMessageBus>();
        var ids = new List<string>();
        for (int i = 0; i < Connections; i++)
        {
            using var client = new ProtocolClient(server, "/events");
            await client.ConnectLongPollingAsync();
            ids.Add(client.ConnectionId);
        }

        foreach (string id in ids)
        {
            var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, id).DefaultTimeout();
            Assert.False(disconnected.StopCalled);
            Assert.False(bus.HasTopic("c-" + id));
        }
    }
}
