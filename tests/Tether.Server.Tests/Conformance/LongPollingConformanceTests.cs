using System.Net;
using System.Text.RegularExpressions;

namespace Tether.Server.Tests.Conformance;

/// <summary>docs/protocol.md#long-polling, against dotnet-longPolling-*.txt and js-longPolling-*.txt.</summary>
public sealed class LongPollingConformanceTests
{
    [Fact]
    public async Task V9_LongPolling_Connect_DotNet_InitMessageExact()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        var connect = await client.LongPollAsync("connect");

        Assert.Equal(HttpStatusCode.OK, connect.Status);
        Assert.Equal(Expect.JsonContentType, connect.ContentType);
        Assert.True(connect.NoSniff, "nosniff missing on the LP connect response");
        Assert.Matches(Expect.InitMessage, connect.Body);
    }

    [Fact]
    public async Task V9_LongPolling_Connect_Js_FormContentTypeEmptyBody()
    {
        // js-longPolling-echo.txt: POST /connect, Content-Length: 0, form content type.
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        var connect = await client.LongPollAsync("connect", formBody: true);

        Assert.Equal(HttpStatusCode.OK, connect.Status);
        Assert.Matches(Expect.InitMessage, connect.Body);
    }

    [Fact]
    public async Task V9_LongPolling_Connect_AnyVerb()
    {
        // §2.1: the server never checks the method; curl-server-answers.txt conn 12 connects with a GET.
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        var connect = await client.GetAsync(client.Url("connect", ProtocolClient.LongPolling, clientProtocol: "1.5"));

        Assert.Equal(HttpStatusCode.OK, connect.Status);
        Assert.Matches(Expect.InitMessage, connect.Body);
    }

    [Fact]
    public async Task V11_LongPolling_Poll_DotNet_MessageIdInQuery()
    {
        await using var server = await TestServer.StartAsync(o => o.ConnectionTimeout = TimeSpan.FromSeconds(5));
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();
        string initCursor = client.MessageId!;

        // Sent while no poll is open: only the cursor in the query can find it.
        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "m1");
        var first = await client.LongPollAsync("poll", initCursor);
        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "m2");
        var second = await client.LongPollAsync("poll", client.MessageId);

        Expect.Data(first, "\"m1\"", allowKeepAliveSpaces: false);
        Expect.Data(second, "\"m2\"", allowKeepAliveSpaces: false);
        Assert.Equal(Expect.JsonContentType, second.ContentType);
    }

    [Fact]
    public async Task V10_LongPolling_Poll_Js_MessageIdInFormBody()
    {
        // P10 / js-longPolling-echo.txt: body messageId=d-FB9CE601-B%2C0%7CM%2C1, nothing in the query.
        await using var server = await TestServer.StartAsync(o => o.ConnectionTimeout = TimeSpan.FromSeconds(5));
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        var connect = await client.LongPollAsync("connect", formBody: true);
        Assert.Matches(Expect.InitMessage, connect.Body);
        await client.StartAsync(ProtocolClient.LongPolling);

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "m1");
        var first = await client.LongPollAsync("poll", client.MessageId, formBody: true);
        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "m2");
        var second = await client.LongPollAsync("poll", client.MessageId, formBody: true);

        Expect.Data(first, "\"m1\"", allowKeepAliveSpaces: false);
        Expect.Data(second, "\"m2\"", allowKeepAliveSpaces: false);
    }

    [Fact]
    public async Task V10_LongPolling_Poll_QueryWinsOverForm()
    {
        await using var server = await TestServer.StartAsync(o => o.ConnectionTimeout = TimeSpan.FromSeconds(5));
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "m1");
        string url = client.Url("poll", ProtocolClient.LongPolling, client.MessageId);
        var reply = await client.SendRequestAsync(HttpMethod.Post, url, ProtocolClient.JsFormBody("messageId=not-a-cursor"));

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Assert.Matches(Expect.DataMessage("\"m1\""), reply.Body.TrimStart(' '));
    }

    [Fact]
    public async Task V10_LongPolling_Poll_WithGet_MessageIdInQuery()
    {
        // curl-server-answers.txt conn 15: GET /echo/poll?...&messageId=... answers {"C":...,"M":["{\"x\":1}"]}.
        await using var server = await TestServer.StartAsync(o => o.ConnectionTimeout = TimeSpan.FromSeconds(5));
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();

        var send = await client.SendRequestAsync(HttpMethod.Post, client.Url("send", ProtocolClient.LongPolling, clientProtocol: "1.5"), ProtocolClient.JsFormBody("data=%7B%22x%22%3A1%7D"));
        var poll = await client.GetAsync(client.Url("poll", ProtocolClient.LongPolling, client.MessageId, clientProtocol: "1.5"));

        Assert.Equal(HttpStatusCode.OK, send.Status);
        Assert.Equal(HttpStatusCode.OK, poll.Status);
        Assert.Matches(Expect.DataMessage("\"{\\\"x\\\":1}\""), poll.Body.TrimStart(' '));
    }

    [Fact]
    public async Task V10_LongPolling_Poll_FlushesHeadersBeforeAnyMessage()
    {
        // §7.3: "on each request it sets the content type and flushes headers immediately (no body yet), then waits".
        // Keep-alives are off, so only an explicit flush can deliver the headers before the message.
        // (The official Mono capture shows the headers only together with the first keep-alive space: HttpListener
        // does not send headers on an empty flush. Kestrel does.)
        await using var server = await TestServer.StartAsync(o => o.KeepAlive = null);
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();

        using var poll = client.BeginLongPoll("poll", client.MessageId);
        var response = await poll.ResponseTask.DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Expect.JsonContentType, Reply.ContentTypeOf(response));

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "hello");
        var result = await poll.CompleteAsync();

        // Exact: no keep-alive, so no leading space.
        Expect.Data(result, "\"hello\"", allowKeepAliveSpaces: false);
    }

    [Fact]
    public async Task V10_LongPolling_KeepAlive_SpaceInsidePendingResponse()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(1);
        });
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();

        using var poll = client.BeginLongPoll("poll", client.MessageId);
        int first = await poll.ReadByteAsync();
        Assert.Equal(' ', first);

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "x");
        var result = await poll.CompleteAsync();

        // One or more 0x20 bytes, then exactly one persistent response (dotnet-longPolling-idle.txt).
        Assert.Matches(new Regex("^ +\\{\"C\":\"" + Envelope.CursorPattern + "\",\"M\":\\[\"x\"\\]\\}$"), result.Body);
    }

    [Fact]
    public async Task V10_LongPolling_ConnectionTimeout_EndsPollWithEmptyM_WithoutLosingLaterMessages()
    {
        // dotnet-longPolling-idle.txt (--connection-timeout=3): the idle poll ends with {"C":"...","M":[]}.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.ConnectionTimeout = TimeSpan.FromSeconds(2);
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = null;
        });
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();

        var idle = await client.LongPollAsync("poll", client.MessageId);

        Assert.Equal(HttpStatusCode.OK, idle.Status);
        Expect.Data(idle, string.Empty, allowKeepAliveSpaces: false);

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "after-timeout");
        var next = await client.LongPollAsync("poll", client.MessageId);
        Expect.Data(next, "\"after-timeout\"", allowKeepAliveSpaces: false);
    }

    [Fact]
    public async Task V12_LongPollDelay_InNegotiateAndEveryLongPollResponse()
    {
        await using var server = await TestServer.StartAsync(o => o.LongPollDelay = TimeSpan.FromSeconds(2));
        using var client = new ProtocolClient(server);

        var negotiate = await client.NegotiateAsync();
        var connect = await client.LongPollAsync("connect");
        await client.StartAsync(ProtocolClient.LongPolling);
        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "x");
        var poll = await client.LongPollAsync("poll", client.MessageId);

        Assert.Contains(",\"LongPollDelay\":2.0}", negotiate.Body, StringComparison.Ordinal);

        // Key order C, S, T, G, L, M (§6).
        Assert.Matches(new Regex("^\\{\"C\":\"" + Envelope.CursorPattern + "\",\"S\":1,\"L\":2000,\"M\":\\[\\]\\}$"), connect.Body);
        Assert.Matches(new Regex("^ *\\{\"C\":\"" + Envelope.CursorPattern + "\",\"L\":2000,\"M\":\\[\"x\"\\]\\}$"), poll.Body);
    }

    [Fact]
    public async Task V12_LongPollDelay_NotOnStreamingTransports()
    {
        await using var server = await TestServer.StartAsync(o => o.LongPollDelay = TimeSpan.FromSeconds(2));
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        using var ws = await client.OpenWebSocketAsync();
        var init = await ws.ReceiveAsync();

        Assert.Matches(Expect.InitMessage, init.Text);
    }

    [Theory]
    [InlineData("")] // a bare base path counts as a poll (§2.1)
    [InlineData("/anything")]
    public async Task LongPolling_UnknownReceivePath_IsAPoll(string suffix)
    {
        await using var server = await TestServer.StartAsync(o => o.ConnectionTimeout = TimeSpan.FromSeconds(5));
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();

        await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "m1");
        string url = "/echo" + suffix + "?clientProtocol=2.1&transport=longPolling&connectionToken=" + Uri.EscapeDataString(client.ConnectionToken) + "&messageId=" + Uri.EscapeDataString(client.MessageId!);
        var reply = await client.SendRequestAsync(HttpMethod.Post, url, ProtocolClient.DotNetEmptyBody());

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Matches(Expect.DataMessage("\"m1\""), reply.Body.TrimStart(' '));
    }

    [Fact]
    public async Task LongPolling_Poll_RaisesNoEvents_ReconnectRaisesOnReconnected()
    {
        await using var server = await TestServer.StartAsync(o => o.ConnectionTimeout = TimeSpan.FromSeconds(5));
        using var client = new ProtocolClient(server, "/events");
        await client.ConnectLongPollingAsync();
        await server.Events.WaitFor(ConnectionEventKind.Connected, client.ConnectionId).DefaultTimeout();

        await Expect.ServerSend<EventsConnection>(server, client.ConnectionId, "p");
        var poll = await client.LongPollAsync("poll", client.MessageId);
        Expect.Data(poll, "\"p\"");
        Assert.DoesNotContain(server.Events.For(client.ConnectionId), e => e.Kind == ConnectionEventKind.Reconnected);

        await Expect.ServerSend<EventsConnection>(server, client.ConnectionId, "r");
        var reconnect = await client.LongPollAsync("reconnect", client.MessageId);
        Expect.Data(reconnect, "\"r\"");
        await server.Events.WaitFor(ConnectionEventKind.Reconnected, client.ConnectionId).DefaultTimeout();
        Assert.Single(server.Events.For(client.ConnectionId), e => e.Kind == ConnectionEventKind.Connected);
    }

    [Fact]
    public async Task LongPolling_SendEchoRoundTrip()
    {
        // dotnet-longPolling-echo.txt: data=echo-1-... comes back as {"C":"...","M":["echo-1-..."]}.
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();

        using var poll = client.BeginLongPoll("poll", client.MessageId);
        var send = await client.SendDotNetAsync(ProtocolClient.LongPolling, "echo-1-57ed4d7201f64");
        var result = await poll.CompleteAsync();

        Assert.Equal(HttpStatusCode.OK, send.Status);
        Expect.Data(result, "\"echo-1-57ed4d7201f64\"");
    }
}
