using System.Diagnostics;
using Xunit.Abstractions;

namespace Tether.Interop.Tests;

/// <summary>A client that vanishes (no /abort, no reconnect) is disconnected by the server after DisconnectTimeout.</summary>
public sealed class DisconnectTimeoutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan DisconnectTimeout = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(2);

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task VanishedClientIsDisconnectedAfterTimeout(string transport)
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = DisconnectTimeout;
            o.KeepAlive = KeepAlive;
        });
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var client = await OfficialClient.StartAsync(proxy.Url("/events"), transport, output);
        string id = client.ConnectionId;
        await client.Send("hello").DefaultTimeout();
        await client.WaitForMessage("hello").DefaultTimeout();

        // The client vanishes: its connections are reset and it can never come back, so no /abort reaches the server.
        int mark = client.EventCount;
        proxy.RefuseNew = true;
        var watch = Stopwatch.StartNew();
        proxy.CutAll();

        // The official client gives up after the DisconnectTimeout it was told in negotiate, without /abort.
        await client.WaitForEvent(ClientEventKind.Closed, mark).DefaultTimeout();
        var clientGaveUp = watch.Elapsed;

        var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, id).DefaultTimeout();
        var serverGaveUp = watch.Elapsed;
        output.WriteLine($"[measure] vanish {transport}: client closed after {clientGaveUp.TotalSeconds:F2} s, server OnDisconnected after {serverGaveUp.TotalSeconds:F2} s (DisconnectTimeout {DisconnectTimeout.TotalSeconds} s)");
        output.WriteLine(client.DescribeEvents());

        Assert.False(disconnected.StopCalled, "A vanished client must give OnDisconnected(stopCalled: false).");

        // Not before DisconnectTimeout (less one heartbeat tick, the granularity of the server's activity mark).
        Assert.True(serverGaveUp >= DisconnectTimeout - (KeepAlive / 2), $"OnDisconnected came after {serverGaveUp}, before DisconnectTimeout.");

        Assert.Equal(
            [ConnectionEventKind.Connected, ConnectionEventKind.Received, ConnectionEventKind.Disconnected],
            server.Events.For(id).Select(e => e.Kind));
    }
}
