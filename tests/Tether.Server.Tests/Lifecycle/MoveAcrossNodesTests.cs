using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tether.Server.Messaging;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Lifecycle;

/// <summary>
/// Two nodes on one bus (an in-process bus shared by two hosts, with shared Data Protection keys): a client that moves
/// A → B → A and then goes quiet gets exactly one <c>OnDisconnected(false)</c>, from the node it was last on.
/// </summary>
public sealed class MoveAcrossNodesTests
{
    private static void ShortTimeouts(PersistentConnectionOptions o)
    {
        o.DisconnectTimeout = TimeSpan.FromSeconds(1.5);
        o.KeepAlive = null;
    }

    [Fact]
    public async Task AToBToA_DisconnectsOnceOnA()
    {
        var options = new PersistentConnectionOptions();
        ShortTimeouts(options);
        using var bus = new InMemoryMessageBus(Options.Create(options), TimeProvider.System);
        var keys = new EphemeralDataProtectionProvider();
        void Share(IServiceCollection services)
        {
            services.AddSingleton<IMessageBus>(bus);
            services.AddSingleton<IDataProtectionProvider>(keys);
        }

        await using var nodeA = await TestServer.StartAsync(ShortTimeouts, Share);
        await using var nodeB = await TestServer.StartAsync(ShortTimeouts, Share);
        using var onA = new ProtocolClient(nodeA, "/events");
        await onA.ConnectLongPollingAsync();
        using var onB = new ProtocolClient(nodeB, "/events") { ConnectionToken = onA.ConnectionToken, ConnectionId = onA.ConnectionId, MessageId = onA.MessageId };

        await Expect.ServerSend<EventsConnection>(nodeB, onA.ConnectionId, "on B");
        await onB.PollUntilAsync(m => m.Contains("on B"));
        onA.MessageId = onB.MessageId;
        await Expect.ServerSend<EventsConnection>(nodeA, onA.ConnectionId, "back on A");
        await onA.PollUntilAsync(m => m.Contains("back on A"));

        await AllDueDisconnectsRaisedAsync(nodeB);
        await AllDueDisconnectsRaisedAsync(nodeA);

        var onNodeA = nodeA.Events.For(onA.ConnectionId).Where(e => e.Kind == ConnectionEventKind.Disconnected).ToList();
        Assert.Single(onNodeA);
        Assert.False(onNodeA[0].StopCalled);
        Assert.DoesNotContain(nodeB.Events.For(onA.ConnectionId), e => e.Kind == ConnectionEventKind.Disconnected);
    }

    /// <summary>A connection opened now and left quiet is disconnected after every quiet connection opened before it.</summary>
    private static async Task AllDueDisconnectsRaisedAsync(TestServer node)
    {
        using var sentinel = new ProtocolClient(node, "/events");
        await sentinel.ConnectLongPollingAsync();
        await node.Events.WaitFor(ConnectionEventKind.Disconnected, sentinel.ConnectionId).DefaultTimeout();
    }
}
