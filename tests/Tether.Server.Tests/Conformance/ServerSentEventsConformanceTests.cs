using System.Net;
using System.Text.RegularExpressions;

namespace Tether.Server.Tests.Conformance;

/// <summary>
/// docs/protocol.md#server-sent-events, against dotnet-serverSentEvents-*.txt and js-serverSentEvents-*.txt.
/// </summary>
/// <remarks>
/// Official server differs from the older protocol notes, which showed persistent responses ending in <c>\r\n\r\n</c> ("CRLF as written
/// by a Windows server", from <c>Environment.NewLine</c>); the official server on Linux/Mono (every SSE capture) ends them
/// with <c>\n\n</c>, like the preamble and the keep-alive. These tests follow the Linux captures: <c>\n\n</c> everywhere.
/// </remarks>
public sealed class ServerSentEventsConformanceTests
{
    private static readonly Regex InitEvent = new("^data: \\{\"C\":\"" + Envelope.CursorPattern + "\",\"S\":1,\"M\":\\[\\]\\}\n\n$");

    private static Regex DataEvent(string rawMessages) =>
        new("^data: \\{\"C\":\"" + Envelope.CursorPattern + "\",\"M\":\\[" + Regex.Escape(rawMessages) + "\\]\\}\n\n$");

    [Fact]
    public async Task V6_ServerSentEvents_Connect_Js_PreambleThenInit()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        // V6, JS URL order with tid; EventSource sends no special Accept here (the .NET client does, V7).
        string url = "/echo/connect?transport=serverSentEvents&clientProtocol=2.1&connectionToken=" + Uri.EscapeDataString(client.ConnectionToken) + "&tid=4";
        await using var sse = await client.OpenSseAsync(relativeUrl: url);

        Assert.Equal(HttpStatusCode.OK, sse.Status);
        Assert.Equal("text/event-stream", sse.ContentType);
        Assert.True(sse.NoSniff, "nosniff missing on the SSE response");
        Assert.Equal("data: initialized\n\n", await sse.ReadEventAsync());
        Assert.Matches(InitEvent, await sse.ReadEventAsync());
    }

    [Fact]
    public async Task V7_ServerSentEvents_Connect_DotNet_PreambleThenInit()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        await using var sse = await client.OpenSseAsync();

        Assert.Equal(HttpStatusCode.OK, sse.Status);
        Assert.Equal("text/event-stream", sse.ContentType);
        Assert.Equal("data: initialized\n\n", await sse.ReadEventAsync());
        Assert.Matches(InitEvent, await sse.ReadEventAsync());
    }

    [Fact]
    public async Task V6_ServerSentEvents_PreambleIsFlushedAtOnce()
    {
        // P6: the preamble must reach the client on its own, before anything else is written. With keep-alives off and
        // the init message already read, nothing more can come until the server sends; so reading the preamble of a
        // /reconnect (which has no init message) proves it was flushed by itself.
        await using var server = await TestServer.StartAsync(o => o.KeepAlive = null);
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        string? cursor;
        await using (var first = await client.OpenSseAsync())
        {
            Assert.Equal("data: initialized\n\n", await first.ReadEventAsync());
            cursor = Envelope.TryParse(SseStream.Data((await first.ReadEventAsync())!))?.C;
        }

        await using var sse = await client.OpenSseAsync("reconnect", cursor);

        Assert.Equal("data: initialized\n\n", await sse.ReadEventAsync());
        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "after");
        Assert.Matches(DataEvent("\"after\""), await sse.ReadEventAsync());
    }

    [Fact]
    public async Task V18_ServerSentEvents_ServerMessageToOneConnection()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        await using var sse = await client.OpenSseAsync();
        await sse.ReadEventAsync();
        await sse.ReadEventAsync();
        await client.StartAsync(ProtocolClient.ServerSentEvents);

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "hello");

        Assert.Matches(DataEvent("\"hello\""), await sse.ReadNonKeepAliveEventAsync());
    }

    [Fact]
    public async Task V18_ServerSentEvents_SendEchoRoundTrip_InOrder()
    {
        // dotnet-serverSentEvents-echo.txt: three sends, three data events in order, cursor advancing.
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        await using var sse = await client.OpenSseAsync();
        await sse.ReadEventAsync();
        string? init = await sse.ReadEventAsync();
        await client.StartAsync(ProtocolClient.ServerSentEvents);

        var cursors = new List<string?> { Envelope.TryParse(SseStream.Data(init!))?.C };
        foreach (string text in new[] { "echo-1-57ed4d7201f64", "echo-2-477b4eef94c04", "echo-3-8a5bc435779a4" })
        {
            var send = await client.SendDotNetAsync(ProtocolClient.ServerSentEvents, text);
            Assert.Equal(HttpStatusCode.OK, send.Status);
            string? e = await sse.ReadNonKeepAliveEventAsync();
            Assert.Matches(DataEvent("\"" + text + "\""), e);
            cursors.Add(Envelope.TryParse(SseStream.Data(e!))?.C);
        }

        Assert.Equal(cursors.Count, cursors.Distinct().Count());
    }

    [Fact]
    public async Task V6_ServerSentEvents_KeepAlive_ExactAndOrdered()
    {
        // dotnet-serverSentEvents-keepalive.txt: initialized, init, data, then "data: {}\n\n" frames.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(1);
        });
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        await using var sse = await client.OpenSseAsync();

        Assert.Equal("data: initialized\n\n", await sse.ReadEventAsync());
        Assert.Matches(InitEvent, await sse.ReadEventAsync());
        Assert.Equal("data: {}\n\n", await sse.ReadEventAsync());

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "after-keepalive");
        Assert.Matches(DataEvent("\"after-keepalive\""), await sse.ReadNonKeepAliveEventAsync());
        Assert.Equal("data: {}\n\n", await sse.ReadEventAsync());
    }

    [Fact]
    public async Task V19_ServerSentEvents_JsonOnOneLine()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        await using var sse = await client.OpenSseAsync();
        await sse.ReadEventAsync();
        await sse.ReadEventAsync();

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, new { Name = "x", Lines = "a\nb\r\nc" });

        Assert.Matches(DataEvent("{\"Name\":\"x\",\"Lines\":\"a\\nb\\r\\nc\"}"), await sse.ReadNonKeepAliveEventAsync());
    }
}
