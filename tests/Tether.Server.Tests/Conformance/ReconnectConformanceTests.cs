using System.Net;
using System.Net.WebSockets;

namespace Tether.Server.Tests.Conformance;

/// <summary>
/// docs/protocol.md#connect-reconnect-and-poll and #topics-and-cursors: resumption by cursor, robustness against foreign cursors, and
/// replacement of a receive request by a newer one. Against dotnet-*-reconnect.txt and js-*-reconnect.txt.
/// </summary>
public sealed class ReconnectConformanceTests
{
    private static readonly string[] Missed = ["m1", "m2", "m3"];

    /// <summary>
    /// The JS client's SSE receive URL in V27's order. On reconnect it carries V27's placeholder groups token
    /// (<c>Gx%2By%3D</c>), which this server never issued and must ignore.
    /// </summary>
    private static string JsSseUrl(ProtocolClient client, string op, string? messageId) =>
        "/events/" + op + "?transport=serverSentEvents" +
        (messageId is null ? string.Empty : "&groupsToken=Gx%2By%3D&messageId=" + Uri.EscapeDataString(messageId)) +
        "&clientProtocol=2.1&connectionToken=" + Uri.EscapeDataString(client.ConnectionToken) + "&tid=1";

    [Theory]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    [InlineData(ProtocolClient.LongPolling)]
    public async Task V27_Reconnect_ReplaysMissedMessagesOnceInOrder(string transport)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();
        string id = client.ConnectionId;
        string cursor;

        // 1. Connect, start, receive "before" and keep its cursor; then lose the receive channel.
        switch (transport)
        {
            case ProtocolClient.ServerSentEvents:
                await using (var sse = await client.OpenSseAsync(relativeUrl: JsSseUrl(client, "connect", null)))
                {
                    await sse.ReadEventAsync();
                    await sse.ReadEventAsync();
                    await client.StartAsync(transport);
                    await Expect.ServerSend<EventsConnection>(server, id, "before");
                    cursor = (await sse.ReadUntilAsync(m => m.Contains("before"))).Last().C!;
                }

                break;
            case ProtocolClient.WebSockets:
                using (var ws = await client.OpenWebSocketAsync())
                {
                    await ws.ReceiveAsync();
                    await client.StartAsync(transport);
                    await Expect.ServerSend<EventsConnection>(server, id, "before");
                    cursor = (await ws.ReadUntilAsync(m => m.Contains("before"))).Last().C!;
                }

                break;
            default:
                Assert.Matches(Expect.InitMessage, (await client.LongPollAsync("connect")).Body);
                await client.StartAsync(transport);
                await Expect.ServerSend<EventsConnection>(server, id, "before");
                await client.PollUntilAsync(m => m.Contains("before"));
                cursor = client.MessageId!;
                break;
        }

        // 2. Messages sent while no receive request is open.
        foreach (string m in Missed)
        {
            await Expect.ServerSend<EventsConnection>(server, id, m);
        }

        // 3. Reconnect with the cursor: everything after it, once, in order; no init message; then live traffic.
        var received = new List<string>();
        var envelopes = new List<Envelope>();
        switch (transport)
        {
            case ProtocolClient.ServerSentEvents:
                await using (var sse = await client.OpenSseAsync(relativeUrl: JsSseUrl(client, "reconnect", cursor)))
                {
                    Assert.Equal(HttpStatusCode.OK, sse.Status);
                    Assert.Equal("data: initialized\n\n", await sse.ReadEventAsync());
                    envelopes.AddRange(await sse.ReadUntilAsync(m => m.Contains("m3")));
                    await Expect.ServerSend<EventsConnection>(server, id, "live");
                    envelopes.AddRange(await sse.ReadUntilAsync(m => m.Contains("live")));
                }

                break;
            case ProtocolClient.WebSockets:
                using (var ws = await client.OpenWebSocketAsync("reconnect", cursor))
                {
                    envelopes.AddRange(await ws.ReadUntilAsync(m => m.Contains("m3")));
                    await Expect.ServerSend<EventsConnection>(server, id, "live");
                    envelopes.AddRange(await ws.ReadUntilAsync(m => m.Contains("live")));
                }

                break;
            default:
                client.MessageId = cursor;
                envelopes.AddRange((await client.PollUntilAsync(m => m.Contains("m3"), firstOp: "reconnect")).Select(r => r.Envelope!));
                await Expect.ServerSend<EventsConnection>(server, id, "live");
                envelopes.AddRange((await client.PollUntilAsync(m => m.Contains("live"))).Select(r => r.Envelope!));
                break;
        }

        received.AddRange(envelopes.SelectMany(e => e.M));
        Assert.Equal(["m1", "m2", "m3", "live"], received);
        Assert.All(envelopes, e => Assert.Null(e.S));
        Assert.All(envelopes, e => Assert.Matches("^" + Envelope.CursorPattern + "$", e.C));
        await server.Events.WaitFor(ConnectionEventKind.Reconnected, id).DefaultTimeout();
    }

    [Theory]
    [InlineData("reconnect", "garbage")]
    [InlineData("poll", "")]
    [InlineData("reconnect", "d-FB9CE601-B,0|J,2")] // a cursor of the official server (js-serverSentEvents-reconnect.txt)
    [InlineData("poll", "d-8B3C21F4-A,0|B,3|C,0")] // the example cursor of the older protocol notes
    [InlineData("reconnect", "d-00000000-A,FFFFFFFF|B,-1")]
    [InlineData("poll", "s-0,1F|1,8")] // scaleout cursor
    [InlineData("reconnect", "d-,|,|\\,\\|")]
    [InlineData("poll", "{\"C\":\"x\"}")]
    [InlineData("connect", "caf\u00e9")]
    public async Task P15_ForeignOrGarbageMessageId_LongPolling_Never500(string op, string messageId)
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.ConnectionTimeout = TimeSpan.FromSeconds(1);
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = null;
        });
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();

        var reply = await client.LongPollAsync(op, messageId);

        Assert.True(reply.Status == HttpStatusCode.OK, $"{op} with messageId '{messageId}': {reply}");
        Assert.NotNull(reply.Envelope);

        // Resuming "from now" (or from a replayed buffer) still delivers what is sent next.
        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "after");
        await client.PollUntilAsync(m => m.Contains("after"));
    }

    [Fact]
    public async Task P15_HugeMessageId_Never500()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.ConnectionTimeout = TimeSpan.FromSeconds(1);
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = null;
        });
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();
        string huge = "d-" + string.Concat(Enumerable.Repeat("A,FFFFFFFFFFFFFFFF|", 200));

        var reply = await client.LongPollAsync("poll", huge, formBody: true);

        Assert.True((int)reply.Status < 500, reply.ToString());
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("d-FB9CE601-B,0|J,2")]
    public async Task P15_ForeignOrGarbageMessageId_StreamingTransports_Never500(string messageId)
    {
        // A foreign cursor resumes "from now": only a live subscription gets what is sent next. The first keep-alive
        // after the reconnect shows that the server tracks (and so subscribes) the request.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(1);
        });
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        await using (var sse = await client.OpenSseAsync("reconnect", messageId))
        {
            Assert.Equal(HttpStatusCode.OK, sse.Status);
            Assert.Equal("data: initialized\n\n", await sse.ReadEventAsync());
            string? e;
            do
            {
                e = await sse.ReadEventAsync();
                Assert.NotNull(e);
            }
            while (e != "data: {}\n\n");

            await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "sse-after");
            await sse.ReadUntilAsync(m => m.Contains("sse-after"));
        }

        using var ws = await client.OpenWebSocketAsync("reconnect", messageId);
        WsMessage frame;
        do
        {
            frame = await ws.ReceiveAsync();
            Assert.Equal(WebSocketMessageType.Text, frame.Type);
        }
        while (frame.Text != "{}");

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "ws-after");
        await ws.ReadUntilAsync(m => m.Contains("ws-after"));
    }

    [Fact]
    public async Task P13_SecondConnect_EndsFirstServerSentEventsStream()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        await using var first = await client.OpenSseAsync();
        Assert.Equal("data: initialized\n\n", await first.ReadEventAsync());
        await first.ReadEventAsync();

        // e.g. EventSource retrying the original /connect URL
        await using var second = await client.OpenSseAsync();

        Assert.Equal("data: initialized\n\n", await second.ReadEventAsync());
        Assert.Matches(Expect.InitMessage, SseStream.Data((await second.ReadEventAsync())!)); // a repeated /connect re-sends S:1
        Assert.True(await first.WaitForEndAsync());
        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "to-second");
        await second.ReadUntilAsync(m => m.Contains("to-second"));
    }

    [Fact]
    public async Task P13_SecondConnect_EndsPendingLongPoll()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(1);
        });
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();
        using var pending = client.BeginLongPoll("poll", client.MessageId);
        Assert.Equal(' ', await pending.ReadByteAsync());

        var reconnect = client.BeginLongPoll("connect");
        var ended = await pending.CompleteAsync();
        var second = await reconnect.CompleteAsync();
        reconnect.Dispose();

        Assert.Equal(HttpStatusCode.OK, ended.Status);
        Assert.Matches(Expect.InitMessage, second.Body.TrimStart(' '));
    }

    [Fact]
    public async Task P13_SecondConnect_ClosesFirstWebSocket()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        using var first = await client.OpenWebSocketAsync();
        await first.ReceiveAsync();

        using var second = await client.OpenWebSocketAsync();

        Assert.Matches(Expect.InitMessage, (await second.ReceiveAsync()).Text);
        var close = await first.WaitForCloseAsync();
        Assert.NotEqual(WebSocketState.Open, first.Socket.State);
        if (close is not null)
        {
            // §7.1: when the server ends the connection (abort, timeout, replaced) it closes with 1000.
            Assert.Equal(WebSocketCloseStatus.NormalClosure, close.CloseStatus);
        }

        await second.SendTextAsync("via-second");
        await second.ReadUntilAsync(m => m.Contains("via-second"));
    }

    [Fact]
    public async Task P13_ReconnectOnAnotherTransport_EndsTheFirst()
    {
        // Fallback: an SSE stream that the client gave up on is replaced by a long-polling /connect with the same token.
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        await using var sse = await client.OpenSseAsync();
        await sse.ReadEventAsync();
        await sse.ReadEventAsync();

        var connect = await client.LongPollAsync("connect");

        Assert.Matches(Expect.InitMessage, connect.Body);
        Assert.True(await sse.WaitForEndAsync());
    }
}
