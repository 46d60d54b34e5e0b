using System.Net;

namespace Tether.Server.Tests.Conformance;

/// <summary>docs/protocol.md#start: <c>/start</c> answers the exact literal and raises OnConnected.</summary>
public sealed class StartConformanceTests
{
    [Theory]
    [InlineData(ProtocolClient.WebSockets)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.LongPolling)]
    public async Task V13_Start_ExactBody(string transport)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        // JS style (V13): transport first, jQuery cache buster last.
        var reply = await client.GetAsync("/echo/start?transport=" + transport + "&clientProtocol=2.1&connectionToken=" + Uri.EscapeDataString(client.ConnectionToken) + "&_=1700000000002");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(Expect.JsonContentType, reply.ContentType);
        Expect.NoSniff(reply);
        Assert.Equal("{ \"Response\": \"started\" }", reply.Body);
    }

    [Fact]
    public async Task V13_Start_BeforeAnyConnect_IsAnswered()
    {
        // curl-server-answers.txt conn 11: /start before /connect still answers "started".
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        var reply = await client.StartAsync(ProtocolClient.LongPolling);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("{ \"Response\": \"started\" }", reply.Body);
    }

    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task V13_Start_RaisesOnConnected_ConnectDoesNot(string transport)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();

        // Open the receive channel and see the init message: for protocol >= 1.4, /connect must not raise OnConnected (P5).
        SseStream? sse = null;
        WebSocketChannel? ws = null;
        try
        {
            switch (transport)
            {
                case ProtocolClient.LongPolling:
                    var connect = await client.LongPollAsync("connect");
                    Assert.Matches(Expect.InitMessage, connect.Body);
                    break;
                case ProtocolClient.ServerSentEvents:
                    sse = await client.OpenSseAsync();
                    Assert.Equal("data: initialized\n\n", await sse.ReadEventAsync());
                    Assert.NotNull(await sse.ReadEventAsync());
                    break;
                default:
                    ws = await client.OpenWebSocketAsync();
                    Assert.Matches(Expect.InitMessage, (await ws.ReceiveAsync()).Text);
                    break;
            }

            Assert.DoesNotContain(server.Events.For(client.ConnectionId), e => e.Kind == ConnectionEventKind.Connected);

            var started = await client.StartAsync(transport);

            Assert.Equal("{ \"Response\": \"started\" }", started.Body);
            var connected = await server.Events.WaitFor(ConnectionEventKind.Connected, client.ConnectionId).DefaultTimeout();
            Assert.Equal(client.ConnectionId, connected.ConnectionId);
            Assert.Single(server.Events.For(client.ConnectionId), e => e.Kind == ConnectionEventKind.Connected);
        }
        finally
        {
            if (sse is not null)
            {
                await sse.DisposeAsync();
            }

            ws?.Dispose();
        }
    }

    [Fact]
    public async Task V13_Start_OnConnectedIsRaisedBeforeTheAnswer()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.LongPollAsync("connect")).Status);

        var started = await client.StartAsync(ProtocolClient.LongPolling);

        // The server calls OnConnected and then answers.
        Assert.Equal(HttpStatusCode.OK, started.Status);
        Assert.Contains(server.Events.For(client.ConnectionId), e => e.Kind == ConnectionEventKind.Connected);
    }
}
