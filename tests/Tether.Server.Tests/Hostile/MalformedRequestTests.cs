using System.Net;
using Tether.Server.Internal;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hostile;

/// <summary>Malformed hosts, headers and query encodings get a 4xx and a whole answer, never a 200 cut short or a logged error.</summary>
public sealed class MalformedRequestTests
{
    [Theory]
    [InlineData("negotiate", null)]
    [InlineData("connect", ProtocolClient.LongPolling)]
    [InlineData("connect", ProtocolClient.ServerSentEvents)]
    [InlineData("connect", ProtocolClient.WebSockets)]
    [InlineData("poll", ProtocolClient.LongPolling)]
    [InlineData("send", ProtocolClient.LongPolling)]
    [InlineData("start", ProtocolClient.LongPolling)]
    public async Task HostWithPortOutOfRange_Is400(string op, string? transport)
    {
        var logs = new LogCollector();
        await using var server = await TestServer.StartAsync(configureServices: logs.AddTo);
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        string target = transport is null ? client.Path + "/" + op : client.Url(op, transport);

        foreach (string host in new[] { "127.0.0.1:99999", "127.0.0.1:65536", "localhost:4294967297" })
        {
            string response = await RawHttp.SendAsync(server, $"POST {target} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            Assert.True(RawHttp.StatusOf(response) == 400, response);
            Assert.Contains(RequestValidator.InvalidHost, response, StringComparison.Ordinal);
        }

        logs.AssertNoErrors();
    }

    [Fact]
    public async Task Http10WithoutHost_IsServed()
    {
        await using var server = await TestServer.StartAsync();
        string response = await RawHttp.SendAsync(server, "GET /echo/negotiate?clientProtocol=2.1 HTTP/1.0\r\n\r\n");
        Assert.True(RawHttp.StatusOf(response.Replace("HTTP/1.0", "HTTP/1.1", StringComparison.Ordinal)) == 200, response);
        Assert.Contains("\"ConnectionToken\"", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Bad: a\0b\r\n")]
    [InlineData("Content-Length: abc\r\n")]
    [InlineData("Host: second\r\n")]
    [InlineData("Bad Header Name: x\r\n")]
    public async Task MalformedHeaders_Are400(string header)
    {
        var logs = new LogCollector();
        await using var server = await TestServer.StartAsync(configureServices: logs.AddTo);
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        string head = $"POST {client.Url("send", ProtocolClient.LongPolling)} HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}Connection: close\r\n\r\n";
        string response = await RawHttp.SendAsync(server, head);
        Assert.True(RawHttp.StatusOf(response) == 400, response);
        logs.AssertNoErrors();
    }

    [Fact]
    public async Task BadQueryEncodings_GetClearAnswers()
    {
        var logs = new LogCollector();
        await using var server = await TestServer.StartAsync(configureServices: logs.AddTo);
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        string token = Uri.EscapeDataString(client.ConnectionToken);
        string lp = client.Path + "/connect?clientProtocol=2.1&transport=longPolling";
        var cases = new (string Url, HttpStatusCode Status)[]
        {
            (client.Path + "/negotiate?clientProtocol=%ZZ%E0%A4", HttpStatusCode.OK),
            (client.Path + "/negotiate?clientProtocol=%00", HttpStatusCode.OK),
            (lp + "&connectionToken=%ZZ" + token, HttpStatusCode.BadRequest),
            (lp + "&connectionToken=%E0%A4%A" + token, HttpStatusCode.BadRequest),
            (lp + "&connectionToken=" + token + "&connectionToken=" + token, HttpStatusCode.BadRequest),
            (client.Path + "/connect?transport=%ZZ&connectionToken=" + token, HttpStatusCode.BadRequest),
            (client.Path + "/connect?transport=longPolling&transport=webSockets&connectionToken=" + token, HttpStatusCode.BadRequest),
            (lp + "&connectionToken=" + token + "&messageId=%E0%A4%A%ZZ%", HttpStatusCode.OK),
            (lp + "&connectionToken=" + token + "&messageId=a&messageId=b", HttpStatusCode.OK),
            (lp + "&connectionToken=" + token + "&groupsToken=%ZZ&groupsToken=%", HttpStatusCode.OK),
            (lp + "&connectionToken=" + token + "&%ZZ=%ZZ&=&&&=x", HttpStatusCode.OK),
        };

        foreach (var (url, status) in cases)
        {
            var reply = await client.SendRequestAsync(HttpMethod.Post, url, ProtocolClient.DotNetEmptyBody());
            Assert.True(reply.Status == status, $"{url}: {reply}");
            if (status == HttpStatusCode.OK)
            {
                HostileInput.ParseAnswer(reply.Body).Dispose();
            }
        }

        logs.AssertNoErrors();
    }
}
