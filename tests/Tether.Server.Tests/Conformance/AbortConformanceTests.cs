using System.Net;
using System.Net.WebSockets;

namespace Tether.Server.Tests.Conformance;

/// <summary>
/// docs/protocol.md#abort and #server-timers: <c>/abort</c> answers 200 text/plain, ends the live receive request
/// and raises OnDisconnected(stopCalled: true) exactly once.
/// </summary>
public sealed class AbortConformanceTests
{
    private static void AssertAbortReply(Reply reply)
    {
        // curl-server-answers.txt conn 18, dotnet-*-echo.txt: 200, Content-Type: text/plain, Content-Length: 0.
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("text/plain", reply.ContentType);
        Assert.Equal(string.Empty, reply.Body);
        Expect.NoSniff(reply);
    }

    /// <summary>
    /// Orders the server's event processing after everything before it: another connection's full start, whose
    /// OnConnected we await. Then no synchronous double OnDisconnected can still be in flight.
    /// </summary>
    private static async Task BarrierAsync(TestServer server)
    {
        using var other = new ProtocolClient(server, "/events");
        await other.ConnectLongPollingAsync();
        await server.Events.WaitFor(ConnectionEventKind.Connected, other.ConnectionId).DefaultTimeout();
    }

    [Fact]
    public async Task V17_Abort_WebSockets_ClosesWith1000_OnDisconnectedStopCalledOnce()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();
        using var ws = await client.OpenWebSocketAsync();
        Assert.Matches(Expect.InitMessage, (await ws.ReceiveAsync()).Text);
        await client.StartAsync(ProtocolClient.WebSockets);

        var abort = await client.AbortAsync(ProtocolClient.WebSockets);

        AssertAbortReply(abort);
        var close = await ws.WaitForCloseAsync();
        Assert.NotNull(close);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close.CloseStatus);
        Assert.True(string.IsNullOrEmpty(close.CloseDescription), $"close reason should be empty, was '{close.CloseDescription}'");
        var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, client.ConnectionId).DefaultTimeout();
        Assert.True(disconnected.StopCalled);

        await client.AbortAsync(ProtocolClient.WebSockets); // a client may repeat it
        await BarrierAsync(server);
        Assert.Single(server.Events.For(client.ConnectionId), e => e.Kind == ConnectionEventKind.Disconnected);
    }

    [Fact]
    public async Task V17_Abort_ServerSentEvents_EndsStream_OnDisconnectedStopCalledOnce()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();
        await using var sse = await client.OpenSseAsync();
        Assert.Equal("data: initialized\n\n", await sse.ReadEventAsync());
        await sse.ReadEventAsync();
        await client.StartAsync(ProtocolClient.ServerSentEvents);

        var abort = await client.AbortAsync(ProtocolClient.ServerSentEvents);

        AssertAbortReply(abort);
        Assert.True(await sse.WaitForEndAsync());
        var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, client.ConnectionId).DefaultTimeout();
        Assert.True(disconnected.StopCalled);
        await BarrierAsync(server);
        Assert.Single(server.Events.For(client.ConnectionId), e => e.Kind == ConnectionEventKind.Disconnected);
    }

    [Fact]
    public async Task V17_Abort_LongPolling_CompletesPendingPoll_OnDisconnectedStopCalledOnce()
    {
        // Keep-alives make the pending poll provably live (its first space byte) before the abort.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(1);
        });
        using var client = new ProtocolClient(server, "/events");
        await client.ConnectLongPollingAsync();
        using var poll = client.BeginLongPoll("poll", client.MessageId);
        Assert.Equal(' ', await poll.ReadByteAsync());

        var abort = await client.AbortAsync(ProtocolClient.LongPolling);

        AssertAbortReply(abort);

        // dotnet-longPolling-groups.txt / -reconnect.txt: the pending poll ends with {"C":"...","M":[]}.
        var result = await poll.CompleteAsync();
        Assert.Equal(HttpStatusCode.OK, result.Status);
        Expect.Data(result, string.Empty);
        var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, client.ConnectionId).DefaultTimeout();
        Assert.True(disconnected.StopCalled);
        await BarrierAsync(server);
        Assert.Single(server.Events.For(client.ConnectionId), e => e.Kind == ConnectionEventKind.Disconnected);
    }

    [Fact]
    public async Task V17_Abort_Js_NoBodyNoContentType()
    {
        // js-serverSentEvents-reconnect.txt: POST /abort with Content-Length: 0 and no Content-Type.
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();
        await using var sse = await client.OpenSseAsync();
        await sse.ReadEventAsync();
        await sse.ReadEventAsync();
        await client.StartAsync(ProtocolClient.ServerSentEvents);

        string url = "/events/abort?transport=serverSentEvents&clientProtocol=2.1&connectionToken=" + Uri.EscapeDataString(client.ConnectionToken);
        var abort = await client.SendRequestAsync(HttpMethod.Post, url, ProtocolClient.NoContentTypeBody(string.Empty));

        AssertAbortReply(abort);
        Assert.True(await sse.WaitForEndAsync());
        Assert.True((await server.Events.WaitFor(ConnectionEventKind.Disconnected, client.ConnectionId).DefaultTimeout()).StopCalled);
    }

    [Fact]
    public async Task V17_Abort_WithoutLiveReceiveRequest_Answers200()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        AssertAbortReply(await client.AbortAsync(ProtocolClient.LongPolling));
    }

    [Fact]
    public async Task P14_V17_OnDisconnectedExactlyOnce_EvenAfterDisconnectTimeout()
    {
        // P12/P14: after /abort, the disconnect timeout must not raise a second OnDisconnected. The barrier is a second
        // connection whose socket the client drops (not a clean stop): its OnDisconnected(false) comes after
        // DisconnectTimeout + grace, by which time any timeout-based event for the aborted connection has fired too.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(1);
        });
        using var aborted = new ProtocolClient(server, "/events");
        using var dropped = new ProtocolClient(server, "/events");
        await aborted.NegotiateOrFailAsync();
        await dropped.NegotiateOrFailAsync();
        using var abortedSocket = await aborted.OpenWebSocketAsync();
        await abortedSocket.ReceiveAsync();
        await aborted.StartAsync(ProtocolClient.WebSockets);

        await aborted.AbortAsync(ProtocolClient.WebSockets);
        Assert.True((await server.Events.WaitFor(ConnectionEventKind.Disconnected, aborted.ConnectionId).DefaultTimeout()).StopCalled);

        using (var droppedSocket = await dropped.OpenWebSocketAsync())
        {
            await droppedSocket.ReceiveAsync();
            await dropped.StartAsync(ProtocolClient.WebSockets);
            await droppedSocket.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None).DefaultTimeout();
        }

        // A socket closed by the client is NOT a clean stop (§7.1, P14).
        var timedOut = await server.Events.WaitFor(ConnectionEventKind.Disconnected, dropped.ConnectionId).DefaultTimeout();
        Assert.False(timedOut.StopCalled);
        Assert.Single(server.Events.For(aborted.ConnectionId), e => e.Kind == ConnectionEventKind.Disconnected);
        Assert.Single(server.Events.For(dropped.ConnectionId), e => e.Kind == ConnectionEventKind.Disconnected);
    }
}
