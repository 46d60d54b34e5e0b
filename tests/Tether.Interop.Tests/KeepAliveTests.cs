using Xunit.Abstractions;
using ConnectionState = Microsoft.AspNet.SignalR.Client.ConnectionState;

namespace Tether.Interop.Tests;

/// <summary>
/// When keep-alives stop arriving, the official client warns (ConnectionSlow) and then reconnects. Only webSockets and
/// serverSentEvents: the official long-polling transport has SupportsKeepAlive = false, so it runs no keep-alive
/// monitor at all (no ConnectionSlow, no reconnect on silence); Auto picks webSockets, which is covered.
/// </summary>
public sealed class KeepAliveTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Transports.WithKeepAliveMonitoring), MemberType = typeof(Transports))]
    public async Task SilenceGivesConnectionSlowThenReconnect(string transport)
    {
        // KeepAlive 3 s is advertised as KeepAliveTimeout 6 s: the client warns after 4 s of silence and declares the
        // connection lost after 6 s. DisconnectTimeout 9 s keeps the client from giving up meanwhile.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(9);
            o.KeepAlive = TimeSpan.FromSeconds(3);
        });
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var client = await OfficialClient.StartAsync(proxy.Url("/echo"), transport, output);

        int mark = client.EventCount;
        var stall = client.Elapsed;
        proxy.Stall();
        var slow = await client.WaitForEvent(ClientEventKind.ConnectionSlow, mark).DefaultTimeout();
        var reconnecting = await client.WaitForEvent(ClientEventKind.Reconnecting, mark).DefaultTimeout();
        Assert.True(slow.Index < reconnecting.Index, "ConnectionSlow must come before Reconnecting:" + Environment.NewLine + client.DescribeEvents());

        proxy.Resume();
        var reconnected = await client.WaitForEvent(ClientEventKind.Reconnected, mark).DefaultTimeout();
        Assert.True(reconnecting.Index < reconnected.Index);
        Assert.Equal(ConnectionState.Connected, client.Connection.State);

        await client.Send("after-silence").DefaultTimeout();
        await client.WaitForMessage("after-silence").DefaultTimeout();
        output.WriteLine($"[measure] keep-alive {transport}: ConnectionSlow {(slow.At - stall).TotalSeconds:F2} s, Reconnecting {(reconnecting.At - stall).TotalSeconds:F2} s after the stall began");
        output.WriteLine(client.DescribeEvents());
    }
}
