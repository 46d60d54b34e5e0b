using Microsoft.Extensions.DependencyInjection;
using Tether.Server;
using Xunit.Abstractions;
using ConnectionState = Microsoft.AspNet.SignalR.Client.ConnectionState;

namespace Tether.Interop.Tests;

/// <summary>The official client reconnects after its TCP connections are cut, and loses and repeats nothing.</summary>
public sealed class ReconnectTests(ITestOutputHelper output)
{
    private const int PerPhase = 50;

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task ReconnectsAfterCutWithoutLossOrDuplicates(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var proxy = FaultProxy.Start(server.BaseUri);
        // /events echoes like /echo and also records the server-side events (OnReconnected, OnDisconnected).
        await using var client = await OfficialClient.StartAsync(proxy.Url("/events"), transport, output);
        var echo = server.Services.GetRequiredService<IPersistentConnectionContext<EventsConnection>>().Connection;
        string id = client.ConnectionId;
        int sent = 0;

        async Task SendFromServer(int count)
        {
            for (int end = sent + count; sent < end; sent++)
            {
                await echo.Send(id, $"server-{sent:D3}").DefaultTimeout();
            }
        }

        // Before: delivered over the live transport.
        await SendFromServer(PerPhase);
        await client.WaitForMessages(PerPhase).DefaultTimeout();

        // The cut: every TCP connection of the client is reset, and new ones are refused until the "during" messages
        // are on the server and a reconnect attempt has failed, so they can only reach the client through a later
        // reconnect (cursor resumption).
        int mark = client.EventCount;
        proxy.RefuseNew = true;
        var cutAt = client.Elapsed;
        int cut = proxy.CutAll();
        Assert.True(cut > 0, "The client had no connection through the proxy.");
        await client.WaitForEvent(ClientEventKind.Reconnecting, mark).DefaultTimeout();

        int acceptedAfterCut = proxy.TotalAccepted;
        int refusedBefore = proxy.TotalRefused;
        await SendFromServer(PerPhase);

        // Let at least one reconnect attempt fail, so the client's retry path runs too.
        await proxy.WaitForRefused(refusedBefore + 1).DefaultTimeout();

        // Proof that these were sent while the client had no connection to the server: none was forwarded since the cut.
        Assert.Equal(acceptedAfterCut, proxy.TotalAccepted);
        int refused = proxy.TotalRefused - refusedBefore;
        proxy.RefuseNew = false;
        await client.WaitForEvent(ClientEventKind.Reconnected, mark).DefaultTimeout();
        Assert.Equal(ConnectionState.Connected, client.Connection.State);

        // After: over the new transport connection.
        await SendFromServer(PerPhase);
        await client.WaitForMessages(sent).DefaultTimeout();

        // A last message: anything replayed twice would have arrived by the time it does.
        await echo.Send(id, "end").DefaultTimeout();
        await client.WaitForMessage("end").DefaultTimeout();
        Assert.Equal([.. Enumerable.Range(0, sent).Select(i => $"server-{i:D3}"), "end"], client.Messages);

        // The client still sends after the reconnect.
        await client.Send("after-reconnect").DefaultTimeout();
        await client.WaitForMessage("after-reconnect").DefaultTimeout();

        // The server saw the reconnect once, and never gave the connection up.
        await server.Events.WaitFor(ConnectionEventKind.Reconnected, id).DefaultTimeout();
        var serverEvents = server.Events.For(id);
        Assert.Single(serverEvents, e => e.Kind == ConnectionEventKind.Reconnected);
        Assert.DoesNotContain(serverEvents, e => e.Kind == ConnectionEventKind.Disconnected);

        var states = client.Events.Skip(mark).Where(e => e.Kind == ClientEventKind.StateChanged).Select(e => e.Detail).ToArray();
        Assert.True(
            states.SequenceEqual(["Connected->Reconnecting", "Reconnecting->Connected"]),
            "Unexpected state changes after the cut:" + Environment.NewLine + client.DescribeEvents());
        var reconnecting = client.Events.Skip(mark).Where(e => e.Kind == ClientEventKind.Reconnecting).ToArray();
        var reconnected = client.Events.Skip(mark).Where(e => e.Kind == ClientEventKind.Reconnected).ToArray();
        Assert.Single(reconnecting);
        Assert.Single(reconnected);
        Assert.True(reconnecting[0].Index < reconnected[0].Index);
        output.WriteLine($"[measure] reconnect {transport}: cut to Reconnected {(reconnected[0].At - cutAt).TotalMilliseconds:F0} ms; refused reconnect attempts: {refused}");
        output.WriteLine(client.DescribeEvents());
    }
}
