using System.Net;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Lifecycle;

/// <summary>Event overrides that return a null task count as completed ones, as in classic SignalR, on every transport.</summary>
public sealed class NullTaskEventTests
{
    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task NullTasks_AreCompleted(string transport)
    {
        await using var server = await LifecycleServer.StartAsync();
        using var client = new ProtocolClient(server, "/null");
        await client.NegotiateOrFailAsync();
        await using (var connect = await Bounds.EnvelopeReader.OpenAsync(client, transport, "connect", null))
        {
            client.MessageId = (await connect.NextAsync()).Envelope.C;
        }

        var start = await client.StartAsync(transport);
        var send = transport == ProtocolClient.WebSockets ? null : await client.SendDotNetAsync(transport, "hello");
        await using (var reconnect = await Bounds.EnvelopeReader.OpenAsync(client, transport, "reconnect", client.MessageId))
        {
            if (transport != ProtocolClient.LongPolling)
            {
                await server.Events.WaitFor(ConnectionEventKind.Reconnected, client.ConnectionId).DefaultTimeout();
            }
        }

        var abort = await client.AbortAsync(transport);

        Assert.Equal(HttpStatusCode.OK, start.Status);
        Assert.Equal("{ \"Response\": \"started\" }", start.Body);
        Assert.True(send is null || send.Status == HttpStatusCode.OK, $"send: {send}");
        Assert.Equal(HttpStatusCode.OK, abort.Status);
        await server.Events.WaitFor(ConnectionEventKind.Connected, client.ConnectionId).DefaultTimeout();
        Assert.True((await server.Events.WaitFor(ConnectionEventKind.Disconnected, client.ConnectionId).DefaultTimeout()).StopCalled);
    }
}
