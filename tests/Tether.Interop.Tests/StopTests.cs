using Xunit.Abstractions;
using ConnectionState = Microsoft.AspNet.SignalR.Client.ConnectionState;

namespace Tether.Interop.Tests;

/// <summary>The official client's <c>Stop()</c> is quick and raises OnDisconnected(stopCalled: true) exactly once.</summary>
public sealed class StopTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task StopIsFastAndDisconnectsOnce(string transport)
    {
        // Short timeouts: the sentinel below must time out quickly.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(2);
        });
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var client = await OfficialClient.StartAsync(server.Url("/events"), transport, output);
        await using var sentinel = await OfficialClient.StartAsync(proxy.Url("/events"), transport, output);
        string id = client.ConnectionId;
        string sentinelId = sentinel.ConnectionId;
        await server.Events.WaitFor(ConnectionEventKind.Connected, id).DefaultTimeout();

        // The official Stop() POSTs /abort and then blocks until the server closes the receive channel, for up to
        // 30 s. Bound it at 10 s: a server that leaves the channel open fails here.
        var stopDuration = await client.StopAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"[measure] Stop() {transport}: {stopDuration.TotalMilliseconds:F1} ms");
        Assert.Equal(ConnectionState.Disconnected, client.Connection.State);
        Assert.Single(client.Events, e => e.Kind == ClientEventKind.Closed);

        var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, id).DefaultTimeout();
        Assert.True(disconnected.StopCalled, "OnDisconnected after Stop() must have stopCalled: true.");

        // Exactly once: a second OnDisconnected (e.g. the timeout path firing too) would come at the latest when a
        // connection that vanished after the stop times out. The sentinel is that connection.
        proxy.RefuseNew = true;
        proxy.CutAll();
        var sentinelGone = await server.Events.WaitFor(ConnectionEventKind.Disconnected, sentinelId).DefaultTimeout();
        Assert.False(sentinelGone.StopCalled);

        var events = server.Events.For(id);
        Assert.Single(events, e => e.Kind == ConnectionEventKind.Disconnected);
        Assert.Equal(ConnectionEventKind.Disconnected, events[^1].Kind);
        Assert.DoesNotContain(events, e => e.Kind == ConnectionEventKind.Reconnected);
    }
}
