using System.Net;
using System.Net.WebSockets;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hubs;

/// <summary>Hub events: OnConnected on /start, OnReconnected on a reconnect, OnDisconnected exactly once; only for the connection's hubs.</summary>
public sealed class HubLifecycleTests
{
    private const string EventsAndChat = """[{"Name":"events"},{"Name":"chat"}]""";

    [Fact]
    public async Task Start_raises_OnConnected_and_abort_raises_OnDisconnected_once()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server, EventsAndChat);
        await client.ConnectLongPollingAsync();
        await server.Events.WaitFor("connected " + client.ConnectionId).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, (await client.AbortAsync(ProtocolClient.LongPolling)).Status);
        await server.Events.WaitFor($"disconnected {client.ConnectionId} True").DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, (await client.AbortAsync(ProtocolClient.LongPolling)).Status);
        await client.StartAsync(ProtocolClient.LongPolling);

        // A later connection's events are a barrier: anything raised twice for the first would be in the log by then.
        using var barrier = new HubWireClient(server, EventsAndChat);
        await barrier.ConnectLongPollingAsync();
        await server.Events.WaitFor("connected " + barrier.ConnectionId).DefaultTimeout();
        Assert.Equal(["connected " + client.ConnectionId, $"disconnected {client.ConnectionId} True"], server.Events.Snapshot().Where(e => e.Contains(client.ConnectionId, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_connection_without_the_hub_in_its_connection_data_raises_none_of_its_events()
    {
        await using var server = await HubTestServer.StartAsync();
        using var chatOnly = new HubWireClient(server);
        await chatOnly.ConnectLongPollingAsync();
        await chatOnly.AbortAsync(ProtocolClient.LongPolling);
        using var barrier = new HubWireClient(server, EventsAndChat);
        await barrier.ConnectLongPollingAsync();
        await server.Events.WaitFor("connected " + barrier.ConnectionId).DefaultTimeout();
        Assert.DoesNotContain(server.Events.Snapshot(), e => e.Contains(chatOnly.ConnectionId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_timeout_raises_OnDisconnected_false_once()
    {
        await using var server = await HubTestServer.StartAsync(connectionOptions: o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(1.5);
            o.KeepAlive = null;
        });
        using var client = new HubWireClient(server, EventsAndChat);
        await client.ConnectLongPollingAsync();
        await server.Events.WaitFor($"disconnected {client.ConnectionId} False").DefaultTimeout();
        Assert.Equal(["connected " + client.ConnectionId, $"disconnected {client.ConnectionId} False"], server.Events.Snapshot().Where(e => e.Contains(client.ConnectionId, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_websocket_reconnect_raises_OnReconnected()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server, EventsAndChat);
        using (var socket = await client.ConnectWebSocketAsync())
        {
            await socket.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).DefaultTimeout();
        }

        using var again = await client.ConnectWebSocketAsync("reconnect");
        await server.Events.WaitFor("reconnected " + client.ConnectionId).DefaultTimeout();
        await again.SendTextAsync("""{"I":"0","H":"events","M":"Ping","A":[]}""");
        Assert.Equal("""{"R":"pong","I":"0"}""", (await again.ReceiveAsync()).Text);
    }
}
