using System.Net;
using System.Net.WebSockets;

namespace Tether.Server.Tests.Conformance;

/// <summary>docs/protocol.md#websockets and #received-values, against dotnet-webSockets-*.txt and js-webSockets-*.txt.</summary>
public sealed class WebSocketConformanceTests
{
    [Fact]
    public async Task V8_WebSockets_Connect_DotNet_FirstFrameIsInit()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        using var ws = await client.OpenWebSocketAsync();

        Assert.Equal(HttpStatusCode.SwitchingProtocols, ws.Socket.HttpStatusCode);
        Assert.Null(ws.Socket.SubProtocol);

        // dotnet-webSockets-*.txt: the 101 carries X-Content-Type-Options: nosniff too.
        Assert.True(ws.Socket.HttpResponseHeaders is { } headers && headers.TryGetValue("X-Content-Type-Options", out var values) && values.Contains("nosniff"), "nosniff missing on the 101");
        var first = await ws.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, first.Type);
        Assert.Matches(Expect.InitMessage, first.Text);
    }

    [Fact]
    public async Task V8_WebSockets_Connect_Js_UrlOrder()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        string url = "/echo/connect?transport=webSockets&clientProtocol=2.1&connectionToken=" + Uri.EscapeDataString(client.ConnectionToken) + "&tid=7";
        using var ws = await client.OpenWebSocketAsync(relativeUrl: url);

        Assert.Matches(Expect.InitMessage, (await ws.ReceiveAsync()).Text);
    }

    [Fact]
    public async Task V8_WebSockets_KeepAliveFrameExact_AfterInit()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(1);
        });
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        using var ws = await client.OpenWebSocketAsync();

        Assert.Matches(Expect.InitMessage, (await ws.ReceiveAsync()).Text);
        var keepAlive = await ws.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, keepAlive.Type);
        Assert.Equal("{}", keepAlive.Text);

        await ws.SendTextAsync("before-break");
        var echo = await ws.ReadUntilAsync(m => m.Contains("before-break"));
        Assert.Matches(Expect.DataMessage("\"before-break\""), echo.Single().Json);
        var next = await ws.ReceiveAsync();
        Assert.Equal("{}", next.Text);
    }

    [Fact]
    public async Task V8_WebSockets_ClientFramesReachOnReceived_EchoedAsFrames()
    {
        // dotnet-webSockets-echo.txt: a client text frame is the raw payload; the answer is one frame per persistent response.
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();
        using var ws = await client.OpenWebSocketAsync();
        await ws.ReceiveAsync();
        await client.StartAsync(ProtocolClient.WebSockets);

        await ws.SendTextAsync("{\"x\":1}");

        var received = await server.Events.WaitFor(ConnectionEventKind.Received, client.ConnectionId).DefaultTimeout();
        Assert.Equal("{\"x\":1}", received.Data);
        var frames = await ws.ReadUntilAsync(m => m.Count > 0);
        Assert.Matches(Expect.DataMessage("\"{\\\"x\\\":1}\""), frames.Single().Json);
    }

    [Fact]
    public async Task WebSockets_FragmentedMessageIsReassembled()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        using var ws = await client.OpenWebSocketAsync();
        await ws.ReceiveAsync();

        await ws.SendTextAsync("hel", endOfMessage: false);
        await ws.SendTextAsync("lo", endOfMessage: true);

        var frames = await ws.ReadUntilAsync(m => m.Count > 0);
        Assert.Equal(["hello"], frames.SelectMany(f => f.M));
    }

    [Theory]
    [InlineData("hello", "\"hello\"")] // P2: a string is a JSON string in M, not a string of JSON
    [InlineData(42, "42")]
    [InlineData(true, "true")]
    public async Task V19_WebSockets_ServerValuesAreRawJsonInM(object value, string expectedRaw)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        using var ws = await client.OpenWebSocketAsync();
        await ws.ReceiveAsync();

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, value);

        var frame = await ws.ReadUntilAsync(m => m.Count > 0);
        Assert.Matches(Expect.DataMessage(expectedRaw), frame.Single().Json);
    }

    [Fact]
    public async Task V19_WebSockets_ObjectMessage_PascalCaseRawJson()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        using var ws = await client.OpenWebSocketAsync();
        await ws.ReceiveAsync();

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, new { Name = "x" });
        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, new object[] { 1, "two", new { N = 3 } });

        var frames = await ws.ReadUntilAsync(m => m.Count >= 2);
        var raw = frames.SelectMany(f => f.RawM).ToList();
        Assert.Equal(["{\"Name\":\"x\"}", "[1,\"two\",{\"N\":3}]"], raw);
        Assert.All(frames, f => Assert.Equal(["C", "M"], f.Keys));
    }

    [Fact]
    public async Task WebSockets_OversizeMessage_ClosesThatSocketOnly()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxIncomingWebSocketMessageSize = 16 * 1024);
        using var victim = new ProtocolClient(server);
        using var bystander = new ProtocolClient(server);
        await victim.NegotiateOrFailAsync();
        await bystander.NegotiateOrFailAsync();
        using var victimSocket = await victim.OpenWebSocketAsync();
        using var bystanderSocket = await bystander.OpenWebSocketAsync();
        await victimSocket.ReceiveAsync();
        await bystanderSocket.ReceiveAsync();

        // Within the limit (and above the 4 KB classic read buffer): accepted and echoed.
        string fits = new('a', 8 * 1024);
        await victimSocket.SendTextAsync(fits);
        var echoed = await victimSocket.ReadUntilAsync(m => m.Count > 0);
        Assert.Equal(fits, echoed.Single().M.Single());

        // Over the limit: the server ends this socket (close frame or abort).
        try
        {
            await victimSocket.SendTextAsync(new string('b', 64 * 1024));
        }
        catch (WebSocketException)
        {
            // The server may already have torn the socket down while we were still writing.
        }

        await victimSocket.WaitForCloseAsync();
        Assert.NotEqual(WebSocketState.Open, victimSocket.Socket.State);

        // The other connection is undisturbed.
        await bystanderSocket.SendTextAsync("still-here");
        var other = await bystanderSocket.ReadUntilAsync(m => m.Count > 0);
        Assert.Equal(["still-here"], other.SelectMany(f => f.M));
        var ping = await bystander.GetAsync("/echo/ping");
        Assert.Equal(HttpStatusCode.OK, ping.Status);
    }
}
