using ConnectionState = Microsoft.AspNet.SignalR.Client.ConnectionState;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// The classic server's /events reports its PersistentConnection events to the fixture; the official client's Stop()
/// ends in OnDisconnected(stopCalled: true).
/// </summary>
public sealed class StopTests(ClassicServerFixture fixture) : IClassFixture<ClassicServerFixture>
{
    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task StopRaisesOnDisconnectedWithStopCalled(string transport)
    {
        var server = fixture.Server;
        await using var client = await OfficialClient.StartAsync(server.Url("/events"), transport);
        string id = client.ConnectionId;
        await server.Events.WaitFor(ConnectionEventKind.Connected, id).DefaultTimeout();

        await client.Send("hello").DefaultTimeout();
        await client.WaitForMessage("hello").DefaultTimeout();
        var received = await server.Events.WaitFor(ConnectionEventKind.Received, id).DefaultTimeout();
        Assert.Equal("hello", received.Data);

        // The official Stop() posts /abort and waits for the server to end the receive channel (up to 30 s otherwise).
        TimeSpan stopped = await client.StopAsync();
        Assert.True(stopped < TimeSpan.FromSeconds(10), $"Stop() took {stopped.TotalSeconds:F1} s.");
        Assert.Equal(ConnectionState.Disconnected, client.Connection.State);
        Assert.Equal("Closed", client.Events[^1]);

        var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, id).DefaultTimeout();
        Assert.True(disconnected.StopCalled, "OnDisconnected after Stop() must have stopCalled: true.");
        Assert.Equal(
            [ConnectionEventKind.Connected, ConnectionEventKind.Received, ConnectionEventKind.Disconnected],
            server.Events.For(id).Select(e => e.Kind));
    }
}
