using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Tether.Server.Tests.Conformance;

/// <summary>docs/protocol.md#send, #headers and #query-strings.</summary>
public sealed class SendConformanceTests
{
    private static async Task<(TestServer Server, ProtocolClient Client)> EventsConnectionAsync()
    {
        var server = await TestServer.StartAsync();
        var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();
        return (server, client);
    }

    private static async Task<ConnectionEvent> ReceivedAsync(TestServer server, ProtocolClient client) =>
        await server.Events.WaitFor(ConnectionEventKind.Received, client.ConnectionId).DefaultTimeout();

    [Fact]
    public async Task V14_Send_Js_FormBody_PlusIsSpace()
    {
        var (server, client) = await EventsConnectionAsync();
        await using var _ = server;
        using var __ = client;

        var reply = await client.SendRequestAsync(HttpMethod.Post, "/events/send?transport=serverSentEvents&clientProtocol=2.1&connectionToken=" + Uri.EscapeDataString(client.ConnectionToken), ProtocolClient.JsFormBody("data=hello+world"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(string.Empty, reply.Body);
        Expect.NoSniff(reply);

        // Official server differs from the older protocol notes, which listed "/send results" among the JSON responses, but
        // for a PersistentConnection the official /send answer has no Content-Type at all and Content-Length: 0
        // (dotnet-serverSentEvents-echo.txt, js-serverSentEvents-reconnect.txt, curl-server-answers.txt conn 14).
        Assert.Null(reply.ContentType);
        Assert.Equal("hello world", (await ReceivedAsync(server, client)).Data);
    }

    [Fact]
    public async Task V15_Send_DotNet_NoContentType_LowercaseHex()
    {
        var (server, client) = await EventsConnectionAsync();
        await using var _ = server;
        using var __ = client;

        // Exactly the bytes of V15: body data=%7b%22a%22%3a1%7d, no Content-Type header (P1).
        var content = ProtocolClient.NoContentTypeBody("data=%7b%22a%22%3a1%7d");
        Assert.Null(content.Headers.ContentType);
        var reply = await client.SendRequestAsync(HttpMethod.Post, client.Url("send", ProtocolClient.ServerSentEvents), content);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(string.Empty, reply.Body);
        Assert.Equal("{\"a\":1}", (await ReceivedAsync(server, client)).Data);
    }

    [Fact]
    public async Task V16_Send_DotNet_EmptyBody_DataIsNull()
    {
        var (server, client) = await EventsConnectionAsync();
        await using var _ = server;
        using var __ = client;

        var reply = await client.SendRequestAsync(HttpMethod.Post, client.Url("send", ProtocolClient.LongPolling), ProtocolClient.NoContentTypeBody(string.Empty));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var received = await ReceivedAsync(server, client);
        Assert.Null(received.Data);
    }

    [Fact]
    public async Task P1_Send_TextPlainContentType_StillParsedAsForm()
    {
        var (server, client) = await EventsConnectionAsync();
        await using var _ = server;
        using var __ = client;

        var reply = await client.SendRequestAsync(HttpMethod.Post, client.Url("send", ProtocolClient.LongPolling), new StringContent("data=abc%21", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("abc!", (await ReceivedAsync(server, client)).Data);
    }

    [Theory]
    [InlineData("data=a+b%2Bc", "a b+c")] // P10/P20: + is a space, %2B is a plus
    [InlineData("data=x%26y%3Dz%25", "x&y=z%")]
    [InlineData("data=caf%C3%A9+%E2%9C%93", "café ✓")] // UTF-8 percent escapes
    [InlineData("data=caf%c3%a9", "café")] // lowercase hex (.NET client)
    [InlineData("data=", "")]
    [InlineData("other=1&data=second", "second")]
    public async Task P20_Send_FormDecoding(string body, string expected)
    {
        var (server, client) = await EventsConnectionAsync();
        await using var _ = server;
        using var __ = client;

        var reply = await client.SendRequestAsync(HttpMethod.Post, client.Url("send", ProtocolClient.ServerSentEvents), ProtocolClient.NoContentTypeBody(body));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(expected, (await ReceivedAsync(server, client)).Data);
    }

    [Fact]
    public async Task V15_Send_DotNetEncoder_RoundTripsThroughEchoOnLongPolling()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();
        const string payload = "{\"a\":1} & = + % café";

        using var poll = client.BeginLongPoll("poll", client.MessageId);
        var send = await client.SendDotNetAsync(ProtocolClient.LongPolling, payload);
        var result = await poll.CompleteAsync();

        Assert.Equal(HttpStatusCode.OK, send.Status);
        Assert.Equal([payload], result.Envelope!.M);
    }

    [Fact]
    public async Task Send_WithoutLiveReceiveRequest_StillRaisesOnReceived()
    {
        // §3.6: "The server does not check that the connection is live: any valid token gets OnReceived."
        var (server, client) = await EventsConnectionAsync();
        await using var _ = server;
        using var __ = client;

        var reply = await client.SendDotNetAsync(ProtocolClient.LongPolling, "nobody-listening");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("nobody-listening", (await ReceivedAsync(server, client)).Data);
    }

    public static TheoryData<string, string?, byte[]> MalformedBodies => new()
    {
        { "bad percent escapes", "application/x-www-form-urlencoded", Encoding.ASCII.GetBytes("data=%ZZ%&%=%") },
        { "invalid UTF-8", "application/x-www-form-urlencoded", [(byte)'d', (byte)'a', (byte)'t', (byte)'a', (byte)'=', 0xC3, 0x28, 0xFF, 0xFE] },
        { "binary, no content type", null, [0, 1, 2, 0xFF, (byte)'=', (byte)'&', 0x80] },
        { "multipart without boundary", "multipart/form-data", Encoding.ASCII.GetBytes("--x\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\nhi\r\n--x--") },
        { "multipart with a wrong boundary", "multipart/form-data; boundary=nope", Encoding.ASCII.GetBytes("garbage") },
        { "json content type", "application/json", Encoding.ASCII.GetBytes("{\"data\":") },
        { "bogus content type", "this is/not a; media=type;;", Encoding.ASCII.GetBytes("data=x") },
        { "keys only", "application/x-www-form-urlencoded", Encoding.ASCII.GetBytes("&&&===&data&data") },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Send_MalformedBody_NeverCrashes(string name, string? contentType, byte[] body)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        var reply = await client.SendRequestAsync(HttpMethod.Post, client.Url("send", ProtocolClient.LongPolling), content);

        Assert.True((int)reply.Status < 500, $"{name}: {reply}");
        var ping = await client.GetAsync("/echo/ping");
        Assert.Equal(HttpStatusCode.OK, ping.Status);
    }

    [Theory]
    [InlineData("connect")]
    [InlineData("poll")]
    [InlineData("reconnect")]
    public async Task LongPolling_MalformedFormBody_NeverCrashes(string op)
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.ConnectionTimeout = TimeSpan.FromSeconds(1);
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = null;
        });
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        string url = "/echo/" + op + "?transport=longPolling&clientProtocol=2.1&connectionToken=" + Uri.EscapeDataString(client.ConnectionToken);
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes("messageId=%ZZ&groupsToken=%&%%%"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var reply = await client.SendRequestAsync(HttpMethod.Post, url, content);

        Assert.True((int)reply.Status < 500, reply.ToString());
    }

    [Fact]
    public async Task Send_OversizeBody_RefusedWithoutCrash()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxIncomingSendSize = 1024);
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();

        var reply = await client.SendRequestAsync(HttpMethod.Post, client.Url("send", ProtocolClient.LongPolling), ProtocolClient.NoContentTypeBody("data=" + new string('x', 64 * 1024)));

        Assert.True((int)reply.Status is >= 400 and < 500, reply.ToString());

        // The unread rest of the body ends the connection: the answer says so, so no client reuses it for its next request.
        Assert.True(reply.ClosesConnection, reply.ToString());
        Assert.DoesNotContain(server.Events.For(client.ConnectionId), e => e.Kind == ConnectionEventKind.Received);
        var ok = await client.SendDotNetAsync(ProtocolClient.LongPolling, "small");
        Assert.Equal(HttpStatusCode.OK, ok.Status);
    }
}
